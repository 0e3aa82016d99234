<#
.SYNOPSIS
  Installs or updates kanade-client (the app for the person at the PC) on this Windows PC. Idempotent.

.DESCRIPTION
  Two ways to run it, both elevated (the agent runs as LocalSystem):
  - Agent mode (all four $AgentSource* knobs set): run by kanade-agent as a script_object job
    (configs/jobs/installers/install-kanade-client.yaml). Downloads kanade-client.exe from
    <AgentSourceUrl>/api/app-packages/kanade-client/<AgentSourceVersion> with the bearer token and checks
    its SHA-256 against $AgentSourceSha256 BEFORE touching the installed copy.
  - Local mode (-Source <path to kanade-client.exe>): copies that file, e.g. from dist\client\.
  Either way the new exe is put in place by renaming: a kanade-client that users are running keeps the
  old file open, which Windows allows to be renamed but not overwritten; they get the new version at
  their next sign-in. With -Autostart (the default) every user's sign-in starts it (HKLM Run key).
  Ends by printing one JSON line {"version":..,"path":..,"sha256":..}, which the job's inventory block
  turns into facts (the agent also reports each PC's running client version by itself).
#>
[CmdletBinding()]
param(
    [string]$Source = '',
    [string]$InstallDir = "$env:ProgramFiles\Kanade",
    [bool]$Autostart = $true
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3

# ---- Agent-mode knobs: set these before `kanade script publish deploy-client <v> <this file>` ----
$AgentSourceUrl = ''          # e.g. 'http://kanade-backend.example.com:8080'
$AgentSourceVersion = ''      # e.g. '0.1.0' (as published with: kanade app publish kanade-client <v> kanade-client.exe)
$AgentSourceSha256 = ''       # lowercase hex, the "sha256" line kanade app publish prints
$AgentSourceAuthToken = ''    # bearer token for the backend API (empty only when auth is disabled)
# -----------------------------------------------------------------------------------------------

$target = Join-Path $InstallDir 'kanade-client.exe'
$RunKey = 'HKLM:\Software\Microsoft\Windows\CurrentVersion\Run'
$RunValue = 'KanadeClient'
$agentMode = ($AgentSourceUrl -ne '') -and ($AgentSourceVersion -ne '')

function Get-Sha256Hex {
    param([string]$Path)
    (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash.ToLowerInvariant()
}

# The new file goes in beside the old one, then two renames: the installed copy is never half written.
function Install-ClientFile {
    param([string]$From)
    New-Item -ItemType Directory -Path $InstallDir -Force | Out-Null
    $next = "$target.new"
    Copy-Item -LiteralPath $From -Destination $next -Force
    if (Test-Path -LiteralPath "$target.old") {
        # Still open by a client from before the last update: leave it for the next run.
        Remove-Item -LiteralPath "$target.old" -Force -ErrorAction SilentlyContinue
    }
    if (Test-Path -LiteralPath $target) {
        Move-Item -LiteralPath $target -Destination "$target.old" -Force
    }
    Move-Item -LiteralPath $next -Destination $target -Force
    Remove-Item -LiteralPath "$target.old" -Force -ErrorAction SilentlyContinue
}

function Set-ClientAutostart {
    if ($Autostart) {
        New-ItemProperty -Path $RunKey -Name $RunValue -Value ('"' + $target + '"') -PropertyType String -Force | Out-Null
    }
    else {
        Remove-ItemProperty -Path $RunKey -Name $RunValue -ErrorAction SilentlyContinue
    }
}

$staging = Join-Path $env:TEMP ('kanade-client-' + [guid]::NewGuid().ToString('N'))
try {
    if ($agentMode) {
        if ($AgentSourceSha256 -notmatch '^[0-9a-f]{64}$') {
            throw 'AgentSourceSha256 must be the lowercase hex SHA-256 of kanade-client.exe'
        }
        New-Item -ItemType Directory -Path $staging -Force | Out-Null
        $downloaded = Join-Path $staging 'kanade-client.exe'
        $url = "$($AgentSourceUrl.TrimEnd('/'))/api/app-packages/kanade-client/$AgentSourceVersion"
        $headers = @{}
        if ($AgentSourceAuthToken -ne '') { $headers['Authorization'] = "Bearer $AgentSourceAuthToken" }
        Write-Output "downloading $url"
        $ProgressPreference = 'SilentlyContinue'
        Invoke-WebRequest -Uri $url -Headers $headers -OutFile $downloaded -UseBasicParsing
        $actual = Get-Sha256Hex -Path $downloaded
        if ($actual -ne $AgentSourceSha256) {
            throw "sha256 mismatch - expected=$AgentSourceSha256 actual=$actual; the installed copy was not touched"
        }
        $version = $AgentSourceVersion
        $from = $downloaded
    }
    elseif ($Source -ne '') {
        if (-not (Test-Path -LiteralPath $Source -PathType Leaf)) { throw "-Source: no file at $Source" }
        $from = $Source
        $actual = Get-Sha256Hex -Path $from
        $version = (Get-Item -LiteralPath $from).VersionInfo.ProductVersion
    }
    else {
        throw 'set the four $AgentSource* knobs at the top of this script (agent mode), or pass -Source <path to kanade-client.exe>'
    }
    Install-ClientFile -From $from
    Set-ClientAutostart
    Write-Output (@{ version = $version; path = $target; sha256 = $actual } | ConvertTo-Json -Compress)
}
catch {
    [Console]::Error.WriteLine("kanade-client install failed: $($_.Exception.Message)")
    exit 1
}
finally {
    Remove-Item -LiteralPath $staging -Recurse -Force -ErrorAction SilentlyContinue
}
