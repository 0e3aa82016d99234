<#
.SYNOPSIS
  Installs or updates the broker, nats-server (service KanadeNats), on this host.

.DESCRIPTION
  Two modes:
  - Install (an administrator, from the dist\nats folder): copies nats-server.exe and the WinSW wrapper
    (KanadeNats.exe + .xml) to %ProgramFiles%\Kanade, writes %ProgramData%\Kanade\nats-server.conf (kept
    unless -ForceConfig) with JetStream under %ProgramData%\Kanade\nats, stores the token under
    HKLM:\SOFTWARE\Kanade\nats, locks config and data down to SYSTEM + Administrators, opens the client
    port in the firewall, registers and starts the service and checks the port answers.
    -ConfigFile installs a broker config you made (e.g. with kanade-backend nats init) instead of the
    token config this script writes.
  - Agent mode (all four $AgentSource* knobs set): run by the kanade-agent on the broker host as a
    script_object job (configs/jobs/installers/install-kanade-nats.yaml). Downloads nats-server.exe from
    <AgentSourceUrl>/api/app-packages/nats-server/<AgentSourceVersion>, checks its SHA-256 BEFORE touching
    the installed copy, stops KanadeNats, swaps the binary (keeping .old) and starts it again. If the new
    broker does not answer within 60 s, the old binary is put back and started, and the job fails.
    The agent loses its broker connection meanwhile; its result waits in its outbox and arrives once the
    broker is back.
  Ends by printing "nats-server <version>".

.EXAMPLE
  & .\deploy-nats.ps1 -NatsToken '<broker token>' -Recreate
#>
[CmdletBinding()]
param(
    # Token every client (backend, agents in a sandbox-style fleet) presents; stored as NatsToken.
    [string]$NatsToken = '',
    # A complete nats-server config to install instead of the generated one.
    [string]$ConfigFile = '',
    [int]$Port = 4222,
    # HTTP monitoring port, loopback only (the deploy check and /healthz use it).
    [int]$MonitorPort = 8222,
    [string]$SourceDir = $PSScriptRoot,
    [string]$InstallDir = "$env:ProgramFiles\Kanade",
    [string]$ServiceName = 'KanadeNats',
    [switch]$ForceConfig,
    [switch]$Recreate,
    [switch]$SkipFirewall
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3

# ---- Agent-mode knobs: set all four for agent mode, leave all empty for an install ----
$AgentSourceUrl = ''          # e.g. 'http://kanade-backend.example.com:8080'
$AgentSourceVersion = ''      # e.g. '2.10.24' (as published with: kanade app publish nats-server <v> nats-server.exe)
$AgentSourceSha256 = ''       # lowercase hex, the "sha256" line kanade app publish prints
$AgentSourceAuthToken = ''    # bearer token for the backend API (empty only when auth is disabled)
# -----------------------------------------------------------------------------------------

$target = Join-Path $InstallDir 'nats-server.exe'
$agentMode = ($AgentSourceUrl -ne '') -and ($AgentSourceVersion -ne '')

function Test-BrokerPort {
    param([int]$TimeoutSeconds)
    $deadline = (Get-Date).AddSeconds($TimeoutSeconds)
    for (;;) {
        $client = New-Object System.Net.Sockets.TcpClient
        try {
            $client.Connect('127.0.0.1', $Port)
            return $true
        }
        catch {
            if ((Get-Date) -gt $deadline) { return $false }
        }
        finally {
            $client.Dispose()
        }
        Start-Sleep -Seconds 1
    }
}

function Restart-Broker {
    $svc = Get-Service -Name $ServiceName
    if ($svc.Status -ne 'Stopped') {
        Stop-Service -Name $ServiceName -Force
        $svc.WaitForStatus('Stopped', [TimeSpan]::FromSeconds(60))
    }
    Start-Service -Name $ServiceName
}

# Agent mode: download, verify, stop, swap (keeping .old), start, roll back if the broker stays down.
function Update-NatsBinary {
    $staging = Join-Path $env:TEMP ('kanade-nats-' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $staging -Force | Out-Null
    try {
        if ($AgentSourceSha256 -notmatch '^[0-9a-f]{64}$') {
            throw 'AgentSourceSha256 must be the lowercase hex SHA-256 of nats-server.exe'
        }
        if ($null -eq (Get-Service -Name $ServiceName -ErrorAction SilentlyContinue)) {
            throw "service $ServiceName is not installed on this host; deploy it first with deploy-nats.ps1"
        }
        $source = Join-Path $staging 'nats-server.exe'
        $url = "$($AgentSourceUrl.TrimEnd('/'))/api/app-packages/nats-server/$AgentSourceVersion"
        $headers = @{}
        if ($AgentSourceAuthToken -ne '') { $headers['Authorization'] = "Bearer $AgentSourceAuthToken" }
        Write-Output "downloading $url"
        $ProgressPreference = 'SilentlyContinue'
        Invoke-WebRequest -Uri $url -Headers $headers -OutFile $source -UseBasicParsing
        $actual = (Get-FileHash -LiteralPath $source -Algorithm SHA256).Hash.ToLowerInvariant()
        if ($actual -ne $AgentSourceSha256) {
            throw "sha256 mismatch - expected=$AgentSourceSha256 actual=$actual; the installed copy was not touched"
        }
        Write-Output "sha256 $actual"
        $svc = Get-Service -Name $ServiceName
        if ($svc.Status -ne 'Stopped') {
            Stop-Service -Name $ServiceName -Force
            $svc.WaitForStatus('Stopped', [TimeSpan]::FromSeconds(60))
        }
        Copy-Item -LiteralPath $target -Destination "$target.old" -Force
        Copy-Item -LiteralPath $source -Destination $target -Force
        Start-Service -Name $ServiceName
        if (-not (Test-BrokerPort -TimeoutSeconds 60)) {
            Copy-Item -LiteralPath "$target.old" -Destination $target -Force
            Restart-Broker
            throw "the new nats-server did not answer on port $Port within 60 s; the previous binary was restored"
        }
        Remove-Item -LiteralPath "$target.old" -Force
        Write-Output "nats-server $AgentSourceVersion"
    }
    catch {
        [Console]::Error.WriteLine("nats-server update failed: $($_.Exception.Message)")
        exit 1
    }
    finally {
        Remove-Item -LiteralPath $staging -Recurse -Force -ErrorAction SilentlyContinue
    }
}

function Install-Nats {
    $common = Join-Path $PSScriptRoot 'kanade-common.ps1'
    if (-not (Test-Path -LiteralPath $common)) { $common = Join-Path $PSScriptRoot '..\lib\kanade-common.ps1' }
    . $common

    $dataDir = Join-Path $script:KanadeProgramData 'nats'
    $configPath = Join-Path $script:KanadeProgramData 'nats-server.conf'
    $wrapper = Join-Path $InstallDir "$ServiceName.exe"
    try {
        Assert-KanadeAdministrator
        if ($Recreate) { Remove-KanadeService -Name $ServiceName -Wrapper $wrapper }
        else { Stop-KanadeService -Name $ServiceName }

        Copy-KanadeFiles -SourceDir $SourceDir -InstallDir $InstallDir -Files @('nats-server.exe', "$ServiceName.exe", "$ServiceName.xml", "$ServiceName.exe.config")
        New-KanadePrivateDirectory -Path $script:KanadeProgramData
        New-KanadePrivateDirectory -Path $dataDir
        New-Item -ItemType Directory -Path (Join-Path $dataDir 'logs') -Force | Out-Null
        Set-KanadeSecret -Role 'nats' -Name 'NatsToken' -Value $NatsToken

        if ($ConfigFile -ne '') {
            Write-KanadeConfig -Path $configPath -Text ([System.IO.File]::ReadAllText($ConfigFile)) -Force:$ForceConfig
        }
        else {
            $token = Get-KanadeSecret -Role 'nats' -Name 'NatsToken'
            if ($token -eq '') { throw 'no broker credential: pass -NatsToken, or -ConfigFile with a config of your own' }
            if ($token -notmatch '^[A-Za-z0-9._~+/=-]+$') { throw 'NatsToken: use letters, digits and ._~+/=- only (it is written into the broker config)' }
            # nats-server reads forward slashes on Windows; they need no escaping in its config.
            $store = (Join-Path $dataDir 'jetstream').Replace('\', '/')
            $logFile = (Join-Path $dataDir 'logs\nats-server.log').Replace('\', '/')
            $conf = @(
                '# Written by deploy-nats.ps1; the token also lives in HKLM:\SOFTWARE\Kanade\nats.',
                "port: $Port",
                "http: `"127.0.0.1:$MonitorPort`"",
                'jetstream {',
                "  store_dir: `"$store`"",
                '}',
                'authorization {',
                "  token: `"$token`"",
                '}',
                "log_file: `"$logFile`"",
                'logfile_size_limit: 10MB',
                ''
            ) -join "`r`n"
            Write-KanadeConfig -Path $configPath -Text $conf -Force:$ForceConfig
        }

        if (-not $SkipFirewall) { Set-KanadeFirewallRule -Role 'nats' -Port $Port }
        Install-KanadeService -Name $ServiceName -Wrapper $wrapper
        Start-Service -Name $ServiceName
        Assert-KanadeServiceRunning -Name $ServiceName -SettleSeconds 2
        Wait-KanadeTcpPort -Port $Port
        $version = (& $target --version | Out-String).Trim()
        Write-KanadeStep "$version answers on port $Port; JetStream data in $dataDir\jetstream"
    }
    catch {
        [Console]::Error.WriteLine("deploy-nats failed: $($_.Exception.Message)")
        exit 1
    }
}

if ($agentMode) { Update-NatsBinary }
else { Install-Nats }
