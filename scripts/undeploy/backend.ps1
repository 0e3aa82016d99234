<#
.SYNOPSIS
  Removes kanade-backend (service KanadeBackend) from this host. Safe by default; idempotent.

.DESCRIPTION
  Default: stops and unregisters KanadeBackend (waiting until SCM lets go), removes kanade-backend.exe,
  the web UI, its WinSW wrapper and any .new/.old/.download leftovers from %ProgramFiles%\Kanade, and
  its inbound firewall rule (unless -KeepFirewall). Keeps backend.toml, %ProgramData%\Kanade\backend
  (the SQLite database, the command-signing keys, logs) and HKLM:\SOFTWARE\Kanade\backend.
  -Purge ALSO DELETES backend.toml and %ProgramData%\Kanade\backend: every stored result, inventory,
  audit record and the command-signing keys the agents trust. There is no undo without a backup.
  -KeepSecrets keeps the registry key even with -Purge.
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

$service = 'KanadeBackend'
$dataDir = Join-Path $script:KanadeProgramData 'backend'
try {
    Assert-KanadeAdministrator
    if ($Purge) {
        Write-KanadeBanner -Lines @(
            'undeploy-backend -Purge DELETES the backend database and its command-signing keys:',
            "  $dataDir",
            'every result, inventory and audit record, and the keys every agent trusts.',
            'This cannot be undone without a backup. Press Ctrl+C within 10 seconds to keep them.'
        )
        Start-Sleep -Seconds 10
    }
    Remove-KanadeService -Name $service -Wrapper (Join-Path $InstallDir "$service.exe")
    foreach ($file in @('kanade-backend.exe', "$service.exe", "$service.xml", "$service.exe.config")) {
        Remove-KanadeInstalledFile -InstallDir $InstallDir -File $file
    }
    Remove-KanadePath -Path (Join-Path $InstallDir 'web')
    if (-not $KeepFirewall) { Remove-KanadeFirewallRule -Role 'backend' }
    if ($Purge) {
        Remove-KanadePath -Path (Join-Path $script:KanadeProgramData 'backend.toml')
        Remove-KanadePath -Path $dataDir
        if (-not $KeepSecrets) { Remove-KanadePath -Path "$script:KanadeRegistryRoot\backend" }
        Remove-KanadeEmptyDirectory -Path $script:KanadeProgramData
        Remove-KanadeEmptyDirectory -Path $script:KanadeRegistryRoot
    }
    Remove-KanadeEmptyDirectory -Path $InstallDir
    Write-KanadeStep 'kanade-backend removed'
}
catch {
    [Console]::Error.WriteLine("undeploy-backend failed: $($_.Exception.Message)")
    exit 1
}
