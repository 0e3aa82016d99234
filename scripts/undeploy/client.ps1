<#
.SYNOPSIS
  Removes kanade-client (the end-user app) from this host. Idempotent.

.DESCRIPTION
  Ends running kanade-client processes, then removes kanade-client.exe and any .new/.old/.download
  leftovers of an agent-driven install (examples/jobs/install-kanade-client.yaml) from
  %ProgramFiles%\Kanade. The client keeps no state of its own yet, so -Purge removes nothing more;
  it is accepted so the four undeploy scripts take the same switches.
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

try {
    Assert-KanadeAdministrator
    $running = @(Get-Process -Name 'kanade-client' -ErrorAction SilentlyContinue)
    if ($running.Count -eq 0) {
        Write-KanadeStep 'kanade-client not running, skipping'
    }
    else {
        $running | Stop-Process -Force
        Write-KanadeStep "ended $($running.Count) kanade-client process(es)"
    }
    Remove-KanadeInstalledFile -InstallDir $InstallDir -File 'kanade-client.exe'
    if ($Purge) { Write-KanadeStep 'kanade-client keeps no state of its own: nothing more to purge' }
    Remove-KanadeEmptyDirectory -Path $InstallDir
    Write-KanadeStep 'kanade-client removed'
}
catch {
    [Console]::Error.WriteLine("undeploy-client failed: $($_.Exception.Message)")
    exit 1
}
