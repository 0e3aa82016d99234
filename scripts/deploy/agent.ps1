<#
.SYNOPSIS
  Installs kanade-agent as the Windows service KanadeAgent (run elevated, from the dist\agent folder).

.DESCRIPTION
  Copies kanade-agent.exe and its WinSW wrapper (KanadeAgent.exe + KanadeAgent.xml) to
  %ProgramFiles%\Kanade, writes %ProgramData%\Kanade\agent.toml (kept unless -ForceConfig), makes the
  data folder %ProgramData%\Kanade\agent, stores the broker secrets under HKLM:\SOFTWARE\Kanade\agent
  (NatsToken, EnrollToken, and the paths NatsCa and EnrollCreds of the files it copies), all with an ACL of
  SYSTEM + Administrators, registers and starts the service, and checks it keeps running. The registry
  key is locked down even when no secret is given: the agent keeps its own key pair's seed (AgentSeed)
  there. The agent reads these values when neither the environment nor agent.toml sets them. The agent
  only connects outbound: no firewall rule is added.

  Later updates go through the agent itself (kanade agent publish / rollout), not this script.

.EXAMPLE
  & .\deploy-agent.ps1 -NatsUrl nats://broker.example.com:4222 -NatsToken '<token>' -ForceConfig -Recreate

.EXAMPLE
  & .\deploy-agent.ps1 -NatsUrl tls://broker.example.com:4222 -CaFile .\ca.pem -EnrollCreds .\enroll.creds -EnrollToken '<token>'
#>
[CmdletBinding()]
param(
    # Broker URL; tls://host:port for TLS.
    [string]$NatsUrl = 'nats://127.0.0.1:4222',
    # Shared broker token (sandbox-style fleets); stored as NatsToken.
    [string]$NatsToken = '',
    # One-time enrollment token of a locked-down fleet; stored as EnrollToken.
    [string]$EnrollToken = '',
    # The fleet's CA certificate (PEM) for tls:// brokers; copied to %ProgramData%\Kanade\agent\ca.pem (NatsCa).
    [string]$CaFile = '',
    # The enrollment credential (enroll.creds from 'kanade-backend nats init'); copied to
    # %ProgramData%\Kanade\agent\enroll.creds (EnrollCreds). A locked-down fleet's agent needs it to ask to join.
    [string]$EnrollCreds = '',
    # pc_id; default: the host name.
    [string]$PcId = '',
    [string]$SourceDir = $PSScriptRoot,
    [string]$InstallDir = "$env:ProgramFiles\Kanade",
    # Rewrite agent.toml even when it exists.
    [switch]$ForceConfig,
    # Unregister an existing KanadeAgent service first (fresh SCM settings, e.g. new recovery actions).
    [switch]$Recreate
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3

$common = Join-Path $PSScriptRoot 'kanade-common.ps1'
if (-not (Test-Path -LiteralPath $common)) { $common = Join-Path $PSScriptRoot '..\lib\kanade-common.ps1' }
. $common

$service = 'KanadeAgent'
$wrapper = Join-Path $InstallDir "$service.exe"
$dataDir = Join-Path $script:KanadeProgramData 'agent'
$configPath = Join-Path $script:KanadeProgramData 'agent.toml'

try {
    Assert-KanadeAdministrator
    if ($Recreate) { Remove-KanadeService -Name $service -Wrapper $wrapper }
    else { Stop-KanadeService -Name $service }

    Copy-KanadeFiles -SourceDir $SourceDir -InstallDir $InstallDir -Files @('kanade-agent.exe', "$service.exe", "$service.xml", "$service.exe.config")

    New-KanadePrivateDirectory -Path $script:KanadeProgramData
    New-KanadePrivateDirectory -Path $dataDir
    $toml = "# Written by deploy-agent.ps1; secrets live in HKLM:\SOFTWARE\Kanade\agent.`r`n"
    $toml += "nats_url = $(ConvertTo-KanadeTomlString $NatsUrl)`r`n"
    if ($PcId -ne '') { $toml += "pc_id = $(ConvertTo-KanadeTomlString $PcId)`r`n" }
    Write-KanadeConfig -Path $configPath -Text $toml -Force:$ForceConfig

    $registryKey = New-KanadePrivateRegistryKey -Role 'agent'
    Write-KanadeStep "locked $registryKey to SYSTEM + Administrators"
    Set-KanadeSecret -Role 'agent' -Name 'NatsToken' -Value $NatsToken
    Set-KanadeSecret -Role 'agent' -Name 'EnrollToken' -Value $EnrollToken
    if ($CaFile -ne '') {
        $caPath = Join-Path $dataDir 'ca.pem'
        Copy-Item -LiteralPath $CaFile -Destination $caPath -Force
        Set-KanadePrivateAcl -Path $caPath
        Set-KanadeSecret -Role 'agent' -Name 'NatsCa' -Value $caPath
        Write-KanadeStep "copied the CA certificate to $caPath"
    }
    if ($EnrollCreds -ne '') {
        $credsPath = Join-Path $dataDir 'enroll.creds'
        Copy-Item -LiteralPath $EnrollCreds -Destination $credsPath -Force
        Set-KanadePrivateAcl -Path $credsPath
        Set-KanadeSecret -Role 'agent' -Name 'EnrollCreds' -Value $credsPath
        Write-KanadeStep "copied the enrollment credential to $credsPath"
    }

    Install-KanadeService -Name $service -Wrapper $wrapper
    # "agent ready" is logged once the agent is connected to the broker and serving: wait for a new one.
    $log = Join-Path $dataDir 'logs\agent.log'
    $seen = 0
    if (Test-Path -LiteralPath $log) { $seen = (Get-Item -LiteralPath $log).Length }
    Start-Service -Name $service
    Assert-KanadeServiceRunning -Name $service -SettleSeconds 2
    $deadline = (Get-Date).AddSeconds(60)
    $ready = $false
    while (-not $ready -and (Get-Date) -lt $deadline) {
        Start-Sleep -Seconds 1
        if (Test-Path -LiteralPath $log) {
            $stream = [System.IO.File]::Open($log, 'Open', 'Read', 'ReadWrite')
            try {
                $null = $stream.Seek([Math]::Min($seen, $stream.Length), 'Begin')
                $ready = (New-Object System.IO.StreamReader($stream)).ReadToEnd().Contains('"msg":"agent ready"')
            }
            catch {
                Write-KanadeStep "could not read $($log): $($_.Exception.Message)"
            }
            finally {
                $stream.Dispose()
            }
        }
    }
    if (-not $ready) { throw "the agent runs but did not report ready within 60 s (is the broker at $NatsUrl reachable?); see $log" }
    $version = (& (Join-Path $InstallDir 'kanade-agent.exe') --version | Out-String).Trim()
    Write-KanadeStep "kanade-agent $version is connected and ready; logs in $dataDir\logs"
}
catch {
    [Console]::Error.WriteLine("deploy-agent failed: $($_.Exception.Message)")
    exit 1
}
