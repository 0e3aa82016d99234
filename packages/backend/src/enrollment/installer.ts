/**
 * One-line install scripts a technician pastes into an elevated shell on a new PC. Each fetches the newest
 * agent release from this backend (authenticated by the enrollment token), checks its SHA-256 against the
 * digest written into the script, installs it as a service and enrolls with the token. Pure text builders.
 */
import type { AgentRelease } from "@kanade/protocol";

export interface InstallerInput {
  /** Where the PC reaches this backend, e.g. `https://kanade.example:8080`. */
  backendUrl: string;
  /** Where the PC reaches the broker. */
  natsUrl: string;
  token: string;
  release: AgentRelease;
  /** The enrollment credential's `.creds` text: it can only ask to join. */
  enrollCreds: string;
}

/** Single-quoted for POSIX sh: nothing inside is expanded. */
const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
/** Single-quoted for PowerShell. */
const psQuote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

const releaseUrl = (i: InstallerInput): string =>
  `${i.backendUrl}/api/agents/installer.bin?token=${encodeURIComponent(i.token)}&key=${encodeURIComponent(i.release.key)}`;

export function installerSh(i: InstallerInput): string {
  return `#!/bin/sh
# kanade agent installer for Linux (systemd), agent ${i.release.version} (${i.release.platform}).
# Run as root:  curl -fsSL '<this URL>' | sudo sh
set -eu
RELEASE_URL=${shQuote(releaseUrl(i))}
SHA256=${shQuote(i.release.sha256)}
NATS_URL=${shQuote(i.natsUrl)}
ENROLL_TOKEN=${shQuote(i.token)}
[ "$(id -u)" = 0 ] || { echo "kanade installer: run as root (sudo sh)" >&2; exit 1; }
command -v systemctl >/dev/null || { echo "kanade installer: systemd is required" >&2; exit 1; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
curl -fsSL "$RELEASE_URL" -o "$tmp"
echo "$SHA256  $tmp" | sha256sum -c - >/dev/null 2>&1 || { echo "kanade installer: the download does not match SHA-256 $SHA256; nothing installed" >&2; exit 1; }
install -d -m 0755 /opt/kanade
install -m 0755 "$tmp" /opt/kanade/kanade-agent
install -d -m 0700 /etc/kanade /var/lib/kanade-agent
umask 077
cat > /etc/kanade/enroll.creds <<'KANADE_ENROLL_CREDS'
${i.enrollCreds.trim()}
KANADE_ENROLL_CREDS
cat > /etc/kanade/agent.toml <<KANADE_AGENT_TOML
nats_url = "$NATS_URL"
enroll_creds = "/etc/kanade/enroll.creds"
enroll_token = "$ENROLL_TOKEN"
KANADE_AGENT_TOML
cat > /etc/systemd/system/kanade-agent.service <<'KANADE_UNIT'
[Unit]
Description=kanade agent
After=network-online.target
Wants=network-online.target

[Service]
ExecStart=/opt/kanade/kanade-agent
Restart=always
RestartSec=5

[Install]
WantedBy=multi-user.target
KANADE_UNIT
systemctl daemon-reload
systemctl enable --now kanade-agent
echo "kanade agent installed; it enrolls with the token and appears in 'kanade agents' shortly"
`;
}

export function installerPs1(i: InstallerInput): string {
  return `# kanade agent installer for Windows, agent ${i.release.version} (${i.release.platform}).
# Run in an elevated PowerShell:  irm '<this URL>' | iex
$ErrorActionPreference = 'Stop'
$ReleaseUrl = ${psQuote(releaseUrl(i))}
$Sha256 = ${psQuote(i.release.sha256)}
$NatsUrl = ${psQuote(i.natsUrl)}
$EnrollToken = ${psQuote(i.token)}
$EnrollCreds = @'
${i.enrollCreds.trim()}
'@
$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) { throw 'kanade installer: run PowerShell as Administrator' }
$src = Join-Path $env:TEMP ('kanade-install-' + [guid]::NewGuid())
New-Item -ItemType Directory -Path $src | Out-Null
$exe = Join-Path $src 'kanade-agent.exe'
Invoke-WebRequest -UseBasicParsing -Uri $ReleaseUrl -OutFile $exe
$actual = (Get-FileHash -Algorithm SHA256 -Path $exe).Hash.ToLowerInvariant()
if ($actual -ne $Sha256) { Remove-Item -Recurse -Force $src; throw "kanade installer: the download does not match SHA-256 $Sha256; nothing installed" }
Set-Content -Path (Join-Path $src 'enroll.creds') -Value $EnrollCreds -Encoding ascii
Set-Content -Path (Join-Path $src 'agent.toml') -Encoding utf8 -Value @(
  "nats_url = \`"$NatsUrl\`"",
  "enroll_creds = \`"$($env:ProgramData -replace '\\\\', '/')/Kanade/enroll.creds\`""
)
# The deploy script installs the files from -SourceDir, registers the KanadeAgent service and stores the token.
$deploy = Join-Path $src 'agent.ps1'
if (-not (Test-Path $deploy)) { $deploy = Join-Path $PSScriptRoot 'agent.ps1' }
& $deploy -SourceDir $src -EnrollToken $EnrollToken
`;
}
