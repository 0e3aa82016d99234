<#
.SYNOPSIS
  Removes kanade-agent (service KanadeAgent) from this host. Safe by default; idempotent.

.DESCRIPTION
  Default: stops and unregisters KanadeAgent (waiting until SCM lets go), removes kanade-agent.exe, its
  WinSW wrapper and any .new/.old/.download swap leftovers from %ProgramFiles%\Kanade, and the agent's
  firewall rules if any. Keeps %ProgramData%\Kanade\agent (state, outbox, logs), agent.toml and the
  secrets in HKLM:\SOFTWARE\Kanade\agent, so a re-deploy picks up where it left off.
  -Purge also removes the agent's own files (agent.toml and %ProgramData%\Kanade\agent: the outbox with
  results not yet delivered, logs, enrollment state) and its registry key, unless -KeepSecrets.
  Other components' files are never touched. Every step says "not present, skipping" when it has
  nothing to do, so the script can be re-run after a partial removal.
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

$service = 'KanadeAgent'
try {
    Assert-KanadeAdministrator
    Remove-KanadeService -Name $service -Wrapper (Join-Path $InstallDir "$service.exe")
    foreach ($file in @('kanade-agent.exe', "$service.exe", "$service.xml", "$service.exe.config")) {
        Remove-KanadeInstalledFile -InstallDir $InstallDir -File $file
    }
    if (-not $KeepFirewall) { Remove-KanadeFirewallRule -Role 'agent' }
    if ($Purge) {
        Write-KanadeStep 'purging the agent''s own state (results still in its outbox are lost)'
        Remove-KanadePath -Path (Join-Path $script:KanadeProgramData 'agent.toml')
        Remove-KanadePath -Path (Join-Path $script:KanadeProgramData 'agent')
        if (-not $KeepSecrets) { Remove-KanadePath -Path "$script:KanadeRegistryRoot\agent" }
        Remove-KanadeEmptyDirectory -Path $script:KanadeProgramData
        Remove-KanadeEmptyDirectory -Path $script:KanadeRegistryRoot
    }
    Remove-KanadeEmptyDirectory -Path $InstallDir
    Write-KanadeStep 'kanade-agent removed'
}
catch {
    [Console]::Error.WriteLine("undeploy-agent failed: $($_.Exception.Message)")
    exit 1
}
