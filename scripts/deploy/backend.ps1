<#
.SYNOPSIS
  Installs or updates kanade-backend (service KanadeBackend) on this host.

.DESCRIPTION
  Two modes:
  - Agent mode: all four $AgentSource* knobs are set. Run by kanade-agent as a script_object job
    (configs/jobs/installers/install-kanade-backend.yaml). Downloads kanade-backend.exe from
    <AgentSourceUrl>/api/app-packages/kanade-backend/<AgentSourceVersion> with the bearer token and
    checks its SHA-256 against $AgentSourceSha256 BEFORE touching the installed copy.
  - Manual-install mode: knobs left empty. Run by an administrator next to a kanade-backend.exe
    (or pass -SourceExe). Same checks and swap, no download.
  Ends by printing "kanade-backend <version>", which the job's result shows.
#>
[CmdletBinding()]
param(
    [string]$SourceExe = "",
    [string]$InstallDir = "$env:ProgramFiles\Kanade",
    [string]$ServiceName = "KanadeBackend"
)

# ---- Agent-mode knobs: set all four for agent mode, leave all empty for manual install ----
$AgentSourceUrl = ''          # e.g. 'http://kanade-backend.example.com:8080'
$AgentSourceVersion = ''      # e.g. '0.2.0' (as published with: kanade app publish kanade-backend <v> <exe>)
$AgentSourceSha256 = ''       # lowercase hex, the "sha256" line kanade app publish prints
$AgentSourceAuthToken = ''    # bearer token for the backend API (empty only when auth is disabled)
# -----------------------------------------------------------------------------------------

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3

$target = Join-Path $InstallDir 'kanade-backend.exe'
$agentMode = ($AgentSourceUrl -ne '') -and ($AgentSourceVersion -ne '')

function Get-Sha256Hex {
    param([string]$Path)
    (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash.ToLowerInvariant()
}

$staging = Join-Path $env:TEMP ("kanade-backend-" + [guid]::NewGuid().ToString('N'))
New-Item -ItemType Directory -Path $staging -Force | Out-Null
try {
    if ($agentMode) {
        if ($AgentSourceSha256 -notmatch '^[0-9a-f]{64}$') {
            throw "AgentSourceSha256 must be the lowercase hex SHA-256 of kanade-backend.exe"
        }
        $source = Join-Path $staging 'kanade-backend.exe'
        $url = "$($AgentSourceUrl.TrimEnd('/'))/api/app-packages/kanade-backend/$AgentSourceVersion"
        $headers = @{}
        if ($AgentSourceAuthToken -ne '') { $headers['Authorization'] = "Bearer $AgentSourceAuthToken" }
        Write-Output "downloading $url"
        # Invoke-WebRequest streams to disk with -OutFile; BITS would need an interactive session here.
        $ProgressPreference = 'SilentlyContinue'
        Invoke-WebRequest -Uri $url -Headers $headers -OutFile $source -UseBasicParsing
        $expected = $AgentSourceSha256
    }
    else {
        $source = $SourceExe
        if ($source -eq '') { $source = Join-Path $PSScriptRoot 'kanade-backend.exe' }
        if (-not (Test-Path -LiteralPath $source)) { throw "no kanade-backend.exe at $source (pass -SourceExe)" }
        $expected = ''
    }

    $actual = Get-Sha256Hex -Path $source
    if ($expected -ne '' -and $actual -ne $expected) {
        throw "sha256 mismatch - expected=$expected actual=$actual; the installed copy was not touched"
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
    $version = (Get-Item -LiteralPath $target).VersionInfo.ProductVersion
    if ($agentMode) { $version = $AgentSourceVersion }
    Write-Output "kanade-backend $version"
}
finally {
    Remove-Item -LiteralPath $staging -Recurse -Force -ErrorAction SilentlyContinue
}
