<#
.SYNOPSIS
  Removes the broker (service KanadeNats) from this host. Safe by default; idempotent.

.DESCRIPTION
  Default: stops and unregisters KanadeNats (waiting until SCM lets go), removes nats-server.exe, its
  WinSW wrapper and any .new/.old/.download leftovers from %ProgramFiles%\Kanade, and its inbound
  firewall rule (unless -KeepFirewall). Keeps nats-server.conf, %ProgramData%\Kanade\nats (JetStream,
  logs) and HKLM:\SOFTWARE\Kanade\nats.
  -Purge ALSO DELETES nats-server.conf and %ProgramData%\Kanade\nats: all of JetStream, i.e. the fleet's
  jobs, scripts, app packages, agent releases, config and every stream. There is no undo without a
  backup. -KeepSecrets keeps the registry key even with -Purge.
#>
[CmdletBinding()]
param(
    [switch]$Purge,
    [switch]$KeepFirewall,
    [switch]$KeepSecrets,
    [string]$InstallDir = "$env:ProgramFiles\Kanade"
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3

$common = Join-Path $PSScriptRoot 'kanade-common.ps1'
if (-not (Test-Path -LiteralPath $common)) { $common = Join-Path $PSScriptRoot '..\lib\kanade-common.ps1' }
. $common

$service = 'KanadeNats'
$dataDir = Join-Path $script:KanadeProgramData 'nats'
try {
    Assert-KanadeAdministrator
    if ($Purge) {
        Write-KanadeBanner -Lines @(
            'undeploy-nats -Purge DELETES ALL JETSTREAM DATA of this broker:',
            "  $dataDir",
            'jobs, scripts, app packages, agent releases, fleet config, results not yet projected.',
            'This cannot be undone without a backup. Press Ctrl+C within 10 seconds to keep them.'
        )
        Start-Sleep -Seconds 10
    }
    Remove-KanadeService -Name $service -Wrapper (Join-Path $InstallDir "$service.exe")
    foreach ($file in @('nats-server.exe', "$service.exe", "$service.xml", "$service.exe.config")) {
        Remove-KanadeInstalledFile -InstallDir $InstallDir -File $file
    }
    if (-not $KeepFirewall) { Remove-KanadeFirewallRule -Role 'nats' }
    if ($Purge) {
        Remove-KanadePath -Path (Join-Path $script:KanadeProgramData 'nats-server.conf')
        Remove-KanadePath -Path $dataDir
        if (-not $KeepSecrets) { Remove-KanadePath -Path "$script:KanadeRegistryRoot\nats" }
        Remove-KanadeEmptyDirectory -Path $script:KanadeProgramData
        Remove-KanadeEmptyDirectory -Path $script:KanadeRegistryRoot
    }
    Remove-KanadeEmptyDirectory -Path $InstallDir
    Write-KanadeStep 'nats-server removed'
}
catch {
    [Console]::Error.WriteLine("undeploy-nats failed: $($_.Exception.Message)")
    exit 1
}
