<#
.SYNOPSIS
  Installs or updates kanade-backend (service KanadeBackend) on this host.

.DESCRIPTION
  Two modes:
  - Install (an administrator, from the dist\backend folder): copies kanade-backend.exe, the web UI and
    the WinSW wrapper (KanadeBackend.exe + .xml) to %ProgramFiles%\Kanade, writes
    %ProgramData%\Kanade\backend.toml (kept unless -ForceConfig), stores the secrets under
    HKLM:\SOFTWARE\Kanade\backend, locks config, data and key down to SYSTEM + Administrators, opens
    the HTTP port in the firewall, registers and starts the service and checks that /health answers.
  - Agent mode (all four $AgentSource* knobs set): run by kanade-agent as a script_object job
    (configs/jobs/installers/install-kanade-backend.yaml). Downloads kanade-backend.exe from
    <AgentSourceUrl>/api/app-packages/kanade-backend/<AgentSourceVersion> with the bearer token, checks
    its SHA-256 against $AgentSourceSha256 BEFORE touching the installed copy, stops the service, swaps
    the binary and starts it again. Config, secrets and service registration are left alone.
  Ends by printing "kanade-backend <version>", which the job's result shows.

.EXAMPLE
  & .\deploy-backend.ps1 -NatsToken '<broker token>' -StaticToken '<32+ character API token>' -ForceConfig -Recreate
#>
[CmdletBinding()]
param(
    [string]$NatsUrl = 'nats://127.0.0.1:4222',
    # The backend's broker credential; stored as NatsToken.
    [string]$NatsToken = '',
    # The API service token (auth_static_token, at least 32 characters); stored as StaticToken.
    [string]$StaticToken = '',
    # The SMTP password ([smtp] in backend.toml) and the OIDC client secret ([oidc]); stored as SmtpPassword and
    # OidcClientSecret, which the backend reads from the registry itself, so they never reach a file.
    [string]$SmtpPassword = '',
    [string]$OidcClientSecret = '',
    [int]$HttpPort = 8080,
    # Address the API listens on; 0.0.0.0 serves other machines.
    [string]$BindAddress = '0.0.0.0',
    [string]$SourceDir = $PSScriptRoot,
    # Agent mode without knobs, or an install from elsewhere: the kanade-backend.exe to install.
    [string]$SourceExe = '',
    [string]$InstallDir = "$env:ProgramFiles\Kanade",
    [string]$ServiceName = 'KanadeBackend',
    [switch]$ForceConfig,
    [switch]$Recreate,
    # Leave the firewall alone (a GPO or an external firewall owns the rule).
    [switch]$SkipFirewall
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3

# ---- Agent-mode knobs: set all four for agent mode, leave all empty for an install ----
$AgentSourceUrl = ''          # e.g. 'http://kanade-backend.example.com:8080'
$AgentSourceVersion = ''      # e.g. '0.2.0' (as published with: kanade app publish kanade-backend <v> <exe>)
$AgentSourceSha256 = ''       # lowercase hex, the "sha256" line kanade app publish prints
$AgentSourceAuthToken = ''    # bearer token for the backend API (empty only when auth is disabled)
# -----------------------------------------------------------------------------------------

$target = Join-Path $InstallDir 'kanade-backend.exe'
$agentMode = ($AgentSourceUrl -ne '') -and ($AgentSourceVersion -ne '')

function Get-Sha256Hex {
    param([string]$Path)
    (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash.ToLowerInvariant()
}

# Agent mode: download, verify, stop, swap (keeping .old), start. Needs nothing beside this file.
function Update-BackendBinary {
    $staging = Join-Path $env:TEMP ('kanade-backend-' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $staging -Force | Out-Null
    try {
        if ($AgentSourceSha256 -notmatch '^[0-9a-f]{64}$') {
            throw 'AgentSourceSha256 must be the lowercase hex SHA-256 of kanade-backend.exe'
        }
        $source = Join-Path $staging 'kanade-backend.exe'
        $url = "$($AgentSourceUrl.TrimEnd('/'))/api/app-packages/kanade-backend/$AgentSourceVersion"
        $headers = @{}
        if ($AgentSourceAuthToken -ne '') { $headers['Authorization'] = "Bearer $AgentSourceAuthToken" }
        Write-Output "downloading $url"
        # Invoke-WebRequest streams to disk with -OutFile; BITS would need an interactive session here.
        $ProgressPreference = 'SilentlyContinue'
        Invoke-WebRequest -Uri $url -Headers $headers -OutFile $source -UseBasicParsing
        $actual = Get-Sha256Hex -Path $source
        if ($actual -ne $AgentSourceSha256) {
            throw "sha256 mismatch - expected=$AgentSourceSha256 actual=$actual; the installed copy was not touched"
        }
        Write-Output "sha256 $actual"
        New-Item -ItemType Directory -Path $InstallDir -Force | Out-Null
        $svc = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
        if ($null -ne $svc -and $svc.Status -ne 'Stopped') {
            Stop-Service -Name $ServiceName -Force
            $svc.WaitForStatus('Stopped', [TimeSpan]::FromSeconds(60))
        }
        if (Test-Path -LiteralPath $target) {
            Copy-Item -LiteralPath $target -Destination "$target.old" -Force
        }
        Copy-Item -LiteralPath $source -Destination $target -Force
        if ($null -ne $svc) {
            Start-Service -Name $ServiceName
            (Get-Service -Name $ServiceName).WaitForStatus('Running', [TimeSpan]::FromSeconds(60))
        }
        else {
            Write-Output "service $ServiceName is not installed; copied the binary only"
        }
        Write-Output "kanade-backend $AgentSourceVersion"
    }
    catch {
        [Console]::Error.WriteLine("kanade-backend update failed: $($_.Exception.Message)")
        exit 1
    }
    finally {
        Remove-Item -LiteralPath $staging -Recurse -Force -ErrorAction SilentlyContinue
    }
}

# Install mode: the whole service, config and secrets.
function Install-Backend {
    $common = Join-Path $PSScriptRoot 'kanade-common.ps1'
    if (-not (Test-Path -LiteralPath $common)) { $common = Join-Path $PSScriptRoot '..\lib\kanade-common.ps1' }
    . $common

    $dataDir = Join-Path $script:KanadeProgramData 'backend'
    $configPath = Join-Path $script:KanadeProgramData 'backend.toml'
    $wrapper = Join-Path $InstallDir "$ServiceName.exe"
    try {
        Assert-KanadeAdministrator
        if ($Recreate) { Remove-KanadeService -Name $ServiceName -Wrapper $wrapper }
        else { Stop-KanadeService -Name $ServiceName }

        $files = @("$ServiceName.exe", "$ServiceName.xml", "$ServiceName.exe.config")
        if ($SourceExe -eq '') { $files += 'kanade-backend.exe' }
        Copy-KanadeFiles -SourceDir $SourceDir -InstallDir $InstallDir -Files $files
        if ($SourceExe -ne '') {
            Copy-Item -LiteralPath $SourceExe -Destination $target -Force
            Write-KanadeStep "installed $SourceExe as $target"
        }
        $webSource = Join-Path $SourceDir 'web'
        $webTarget = Join-Path $InstallDir 'web'
        if (Test-Path -LiteralPath $webSource) {
            Remove-Item -LiteralPath $webTarget -Recurse -Force -ErrorAction SilentlyContinue
            Copy-Item -LiteralPath $webSource -Destination $webTarget -Recurse -Force
            Write-KanadeStep "installed the web UI in $webTarget"
        }

        New-KanadePrivateDirectory -Path $script:KanadeProgramData
        New-KanadePrivateDirectory -Path $dataDir
        Set-KanadeSecret -Role 'backend' -Name 'NatsToken' -Value $NatsToken
        Set-KanadeSecret -Role 'backend' -Name 'StaticToken' -Value $StaticToken
        Set-KanadeSecret -Role 'backend' -Name 'SmtpPassword' -Value $SmtpPassword
        Set-KanadeSecret -Role 'backend' -Name 'OidcClientSecret' -Value $OidcClientSecret
        # The backend reads its secrets from backend.toml (SYSTEM + Administrators only); the registry
        # keeps them for the next -ForceConfig, so a re-deploy does not need them typed again.
        $natsSecret = Get-KanadeSecret -Role 'backend' -Name 'NatsToken'
        $staticSecret = Get-KanadeSecret -Role 'backend' -Name 'StaticToken'
        if ($staticSecret -eq '') { throw 'no API token: pass -StaticToken (at least 32 characters) on the first deploy' }
        $dbPath = Join-Path $dataDir 'kanade.db'
        $toml = "# Written by deploy-backend.ps1 from HKLM:\SOFTWARE\Kanade\backend; re-run with -ForceConfig to change.`r`n"
        $toml += "bind_addr = $(ConvertTo-KanadeTomlString "$($BindAddress):$HttpPort")`r`n"
        $toml += "nats_url = $(ConvertTo-KanadeTomlString $NatsUrl)`r`n"
        if ($natsSecret -ne '') { $toml += "nats_token = $(ConvertTo-KanadeTomlString $natsSecret)`r`n" }
        $toml += "auth_static_token = $(ConvertTo-KanadeTomlString $staticSecret)`r`n"
        $toml += "database_url = $(ConvertTo-KanadeTomlString "sqlite://$dbPath")`r`n"
        if (Test-Path -LiteralPath $webTarget) { $toml += "web_root = $(ConvertTo-KanadeTomlString $webTarget)`r`n" }
        Write-KanadeConfig -Path $configPath -Text $toml -Force:$ForceConfig

        if (-not $SkipFirewall) { Set-KanadeFirewallRule -Role 'backend' -Port $HttpPort }
        Install-KanadeService -Name $ServiceName -Wrapper $wrapper
        Start-Service -Name $ServiceName
        Assert-KanadeServiceRunning -Name $ServiceName -SettleSeconds 2
        Wait-KanadeTcpPort -Port $HttpPort
        $health = Invoke-WebRequest -Uri "http://127.0.0.1:$HttpPort/health" -UseBasicParsing -TimeoutSec 10
        if ($health.StatusCode -ne 200) { throw "GET /health answered $($health.StatusCode)" }
        $version = (Get-Item -LiteralPath $target).VersionInfo.ProductVersion
        Write-KanadeStep "kanade-backend $version answers on http://127.0.0.1:$HttpPort/health; data in $dataDir"
    }
    catch {
        [Console]::Error.WriteLine("deploy-backend failed: $($_.Exception.Message)")
        exit 1
    }
}

if ($agentMode) { Update-BackendBinary }
else { Install-Backend }
