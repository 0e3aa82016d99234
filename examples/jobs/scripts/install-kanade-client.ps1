# Downloads kanade-client from the backend's app packages, checks its digest, swaps it in place and
# prints {version, path} as JSON (the job's inventory block turns that into facts).
[CmdletBinding()]
param()
$ErrorActionPreference = 'Stop'

# Set these before publishing the job.
$Backend = 'http://kanade-backend.example.com:8080'
$Version = '0.42.0'
$Sha256 = '<lowercase hex sha256 of kanade-client.exe>'
$Token = ''

$target = Join-Path $env:ProgramFiles 'Kanade\kanade-client.exe'
$download = "$target.download"
$headers = @{}
if ($Token) { $headers['Authorization'] = "Bearer $Token" }

try {
  Invoke-WebRequest -UseBasicParsing -Headers $headers -Uri "$Backend/api/app-packages/kanade-client/$Version" -OutFile $download
  $digest = (Get-FileHash -LiteralPath $download -Algorithm SHA256).Hash.ToLowerInvariant()
  if ($digest -ne $Sha256) {
    throw "digest mismatch: expected $Sha256, got $digest"
  }
  New-Item -ItemType Directory -Force -Path (Split-Path -Parent $target) | Out-Null
  if (Test-Path -LiteralPath $target) { Move-Item -LiteralPath $target -Destination "$target.old" -Force }
  Move-Item -LiteralPath $download -Destination $target -Force
  Remove-Item -LiteralPath "$target.old" -Force -ErrorAction SilentlyContinue
} catch {
  Remove-Item -LiteralPath $download -Force -ErrorAction SilentlyContinue
  throw
}

Write-Output (@{ version = $Version; path = $target } | ConvertTo-Json -Compress)
exit 0
