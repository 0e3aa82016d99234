/**
 * One-line install scripts a technician pastes into an elevated shell on a new PC. Each fetches the newest
 * agent release from this backend (authenticated by the enrollment token), checks its SHA-256 against the
 * digest written into the script, installs it as a service and enrolls with the token. Pure text builders.
 */
import { SERVICES, WINSW_EXE_CONFIG, winswXml, type AgentRelease } from "@kanade/protocol";
import type { ServiceWrapper } from "./installer-files.js";

export interface InstallerInput {
  /** Where the PC reaches this backend, e.g. `https://kanade.example:8080`. */
  backendUrl: string;
  /** Where the PC reaches the broker. */
  natsUrl: string;
  token: string;
  release: AgentRelease;
  /** The enrollment credential's `.creds` text: it can only ask to join. */
  enrollCreds: string;
  /** The fleet CA (PEM) for a `tls://` broker. */
  caPem?: string;
}

/** The Windows installer also needs the WinSW wrapper it registers the service with. */
export interface WindowsInstallerInput extends InstallerInput {
  serviceWrapper: ServiceWrapper;
}

/** Single-quoted for POSIX sh: nothing inside is expanded. */
const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
/** Single-quoted for PowerShell. */
const psQuote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

const releaseUrl = (i: InstallerInput): string =>
  `${i.backendUrl}/api/agents/installer.bin?token=${encodeURIComponent(i.token)}&key=${encodeURIComponent(i.release.key)}`;
const wrapperUrl = (i: InstallerInput): string => `${i.backendUrl}/api/agents/installer.winsw?token=${encodeURIComponent(i.token)}`;

/** A PowerShell single-quoted here-string: nothing inside is expanded; a line may not start with `'@`. */
function psHereString(text: string): string {
  const body = text.replace(/\r\n/g, "\n").trimEnd();
  if (/^'@/m.test(body)) throw new Error("text for a PowerShell here-string holds a line starting with '@");
  return `@'\n${body}\n'@`;
}

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
${i.caPem ? `cat > /etc/kanade/ca.pem <<'KANADE_CA'\n${i.caPem.trim()}\nKANADE_CA\n` : ""}cat > /etc/kanade/agent.toml <<KANADE_AGENT_TOML
nats_url = "$NATS_URL"
enroll_creds = "/etc/kanade/enroll.creds"
enroll_token = "$ENROLL_TOKEN"
${i.caPem ? 'nats_ca = "/etc/kanade/ca.pem"\n' : ""}KANADE_AGENT_TOML
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

/**
 * Installs what scripts/deploy/agent.ps1 installs, from this backend instead of a release folder:
 * kanade-agent.exe and the WinSW wrapper (KanadeAgent.exe, both checked against their SHA-256), the
 * service XML and .exe.config the release build generates, %ProgramData%\Kanade\agent.toml and the data
 * folder, the enrollment credential, the CA and the token under HKLM:\SOFTWARE\Kanade\agent (read by the
 * agent), all with an ACL of SYSTEM + Administrators; then registers, starts and checks the service.
 * Pasted as `irm … | iex`, so it never calls `exit` (that would close the technician's shell): it throws.
 */
export function installerPs1(i: WindowsInstallerInput): string {
  const svc = SERVICES.agent;
  return `# kanade agent installer for Windows, agent ${i.release.version} (${i.release.platform}), service ${svc.id}.
# Run in an elevated PowerShell:  irm '<this URL>' | iex
$ErrorActionPreference = 'Stop'
$ReleaseUrl = ${psQuote(releaseUrl(i))}
$ReleaseSha256 = ${psQuote(i.release.sha256)}
$WrapperUrl = ${psQuote(wrapperUrl(i))}
$WrapperSha256 = ${psQuote(i.serviceWrapper.sha256)}
$NatsUrl = ${psQuote(i.natsUrl)}
$EnrollToken = ${psQuote(i.token)}
$EnrollCreds = ${psHereString(i.enrollCreds)}
$NatsCa = ${i.caPem ? psHereString(i.caPem) : "''"}
$ServiceXml = ${psHereString(winswXml(svc))}
$ServiceExeConfig = ${psHereString(WINSW_EXE_CONFIG)}
$KanadeService = ${psQuote(svc.id)}
$KanadeInstallDir = Join-Path $env:ProgramFiles 'Kanade'
$KanadeProgramData = Join-Path $env:ProgramData 'Kanade'
$KanadeDataDir = Join-Path $KanadeProgramData 'agent'
$KanadeRegistryKey = 'HKLM:\\SOFTWARE\\Kanade\\agent'

# SYSTEM + Administrators, full control, inheritance from the parent cut (as deploy's kanade-common.ps1).
function Set-KanadeInstallAcl {
    param([string]$Path)
    $sids = @('S-1-5-18', 'S-1-5-32-544')
    if ($Path.StartsWith('HKLM:')) {
        $acl = New-Object System.Security.AccessControl.RegistrySecurity
        foreach ($sid in $sids) { $acl.AddAccessRule((New-Object System.Security.AccessControl.RegistryAccessRule((New-Object System.Security.Principal.SecurityIdentifier($sid)), 'FullControl', 'ContainerInherit', 'None', 'Allow'))) }
    }
    elseif (Test-Path -LiteralPath $Path -PathType Container) {
        $acl = New-Object System.Security.AccessControl.DirectorySecurity
        foreach ($sid in $sids) { $acl.AddAccessRule((New-Object System.Security.AccessControl.FileSystemAccessRule((New-Object System.Security.Principal.SecurityIdentifier($sid)), 'FullControl', 'ContainerInherit, ObjectInherit', 'None', 'Allow'))) }
    }
    else {
        $acl = New-Object System.Security.AccessControl.FileSecurity
        foreach ($sid in $sids) { $acl.AddAccessRule((New-Object System.Security.AccessControl.FileSystemAccessRule((New-Object System.Security.Principal.SecurityIdentifier($sid)), 'FullControl', 'Allow'))) }
    }
    $acl.SetAccessRuleProtection($true, $false)
    $acl.SetOwner((New-Object System.Security.Principal.SecurityIdentifier('S-1-5-32-544')))
    Set-Acl -LiteralPath $Path -AclObject $acl
}

function Save-KanadeDownload {
    param([string]$Uri, [string]$OutFile, [string]$Expected)
    Invoke-WebRequest -UseBasicParsing -Uri $Uri -OutFile $OutFile
    $actual = (Get-FileHash -Algorithm SHA256 -LiteralPath $OutFile).Hash.ToLowerInvariant()
    if ($actual -ne $Expected) { throw "the download of $(Split-Path -Leaf $OutFile) does not match SHA-256 $Expected; nothing installed" }
}

function Set-KanadeInstallText {
    param([string]$Path, [string]$Text, [switch]$Private)
    $utf8 = New-Object System.Text.UTF8Encoding($false)
    [System.IO.File]::WriteAllText($Path, $Text.Replace("\`r\`n", "\`n").Replace("\`n", "\`r\`n") + "\`r\`n", $utf8)
    if ($Private) { Set-KanadeInstallAcl -Path $Path }
}

$src = Join-Path $env:TEMP ('kanade-install-' + [guid]::NewGuid())
try {
    $principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
    if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) { throw 'run PowerShell as Administrator' }
    New-Item -ItemType Directory -Path $src | Out-Null
    Save-KanadeDownload -Uri $ReleaseUrl -OutFile (Join-Path $src 'kanade-agent.exe') -Expected $ReleaseSha256
    Save-KanadeDownload -Uri $WrapperUrl -OutFile (Join-Path $src "$KanadeService.exe") -Expected $WrapperSha256

    $existing = Get-Service -Name $KanadeService -ErrorAction SilentlyContinue
    if ($null -ne $existing -and $existing.Status -ne 'Stopped') {
        Stop-Service -Name $KanadeService -Force
        $existing.WaitForStatus('Stopped', (New-TimeSpan -Seconds 90))
    }
    New-Item -ItemType Directory -Path $KanadeInstallDir -Force | Out-Null
    foreach ($file in @('kanade-agent.exe', "$KanadeService.exe")) {
        Copy-Item -LiteralPath (Join-Path $src $file) -Destination (Join-Path $KanadeInstallDir $file) -Force
    }
    Set-KanadeInstallText -Path (Join-Path $KanadeInstallDir "$KanadeService.xml") -Text $ServiceXml
    Set-KanadeInstallText -Path (Join-Path $KanadeInstallDir "$KanadeService.exe.config") -Text $ServiceExeConfig

    foreach ($dir in @($KanadeProgramData, $KanadeDataDir)) {
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        Set-KanadeInstallAcl -Path $dir
    }
    $credsPath = Join-Path $KanadeDataDir 'enroll.creds'
    Set-KanadeInstallText -Path $credsPath -Text $EnrollCreds -Private
    $toml = "# Written by the kanade installer; secrets live in HKLM:\\SOFTWARE\\Kanade\\agent.\`r\`nnats_url = \`"$NatsUrl\`""
    Set-KanadeInstallText -Path (Join-Path $KanadeProgramData 'agent.toml') -Text $toml -Private

    # The agent also writes its own key pair's seed (AgentSeed) here: the key is locked down first.
    if (-not (Test-Path -LiteralPath $KanadeRegistryKey)) { New-Item -Path $KanadeRegistryKey -Force | Out-Null }
    Set-KanadeInstallAcl -Path $KanadeRegistryKey
    New-ItemProperty -LiteralPath $KanadeRegistryKey -Name 'EnrollToken' -Value $EnrollToken -PropertyType String -Force | Out-Null
    New-ItemProperty -LiteralPath $KanadeRegistryKey -Name 'EnrollCreds' -Value $credsPath -PropertyType String -Force | Out-Null
    if ($NatsCa -ne '') {
        $caPath = Join-Path $KanadeDataDir 'ca.pem'
        Set-KanadeInstallText -Path $caPath -Text $NatsCa -Private
        New-ItemProperty -LiteralPath $KanadeRegistryKey -Name 'NatsCa' -Value $caPath -PropertyType String -Force | Out-Null
    }

    $wrapper = Join-Path $KanadeInstallDir "$KanadeService.exe"
    if ($null -eq (Get-Service -Name $KanadeService -ErrorAction SilentlyContinue)) {
        & $wrapper install
        if ($LASTEXITCODE -ne 0) { throw "$wrapper install failed with exit code $LASTEXITCODE" }
    }
    Start-Service -Name $KanadeService
    Start-Sleep -Seconds 3
    if ((Get-Service -Name $KanadeService).Status -ne 'Running') { throw "the $KanadeService service stopped right after it started; see $KanadeDataDir\\logs" }
    Write-Output "kanade agent ${i.release.version} installed as the $KanadeService service; it enrolls with the token and appears in 'kanade agents' shortly"
}
catch {
    throw "kanade installer: $($_.Exception.Message)"
}
finally {
    Remove-Item -LiteralPath $src -Recurse -Force -ErrorAction SilentlyContinue
}
`;
}
