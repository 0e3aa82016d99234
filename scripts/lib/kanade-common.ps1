<#
.SYNOPSIS
  Helpers shared by the deploy and undeploy scripts (dot-sourced; shipped beside them in dist/<role>/).

.DESCRIPTION
  Layout (docs/operator/deploy.md):
    %ProgramFiles%\Kanade\            binaries: kanade-*.exe, nats-server.exe, the WinSW wrappers <Service>.exe + .xml
    %ProgramData%\Kanade\<role>.toml  config (nats-server.conf for NATS)
    %ProgramData%\Kanade\<role>\      that role's data and logs
    HKLM:\SOFTWARE\Kanade\<role>      that role's secrets
  Folders, config and registry keys get an ACL of SYSTEM + Administrators only.
#>
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3

$script:KanadeProgramData = Join-Path $env:ProgramData 'Kanade'
$script:KanadeRegistryRoot = 'HKLM:\SOFTWARE\Kanade'
$script:SystemSid = 'S-1-5-18'
$script:AdministratorsSid = 'S-1-5-32-544'

function Write-KanadeStep {
    param([string]$Message)
    Write-Output "[kanade] $Message"
}

function Assert-KanadeAdministrator {
    $identity = [Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object Security.Principal.WindowsPrincipal($identity)
    if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
        throw 'run this script from an elevated PowerShell (Administrator)'
    }
}

function Get-KanadeSid {
    param([string]$Sid)
    New-Object System.Security.Principal.SecurityIdentifier($Sid)
}

# SYSTEM + Administrators, full control, inheritance from the parent cut.
function Set-KanadePrivateAcl {
    param([string]$Path)
    if ($Path.StartsWith('HKLM:')) {
        $acl = New-Object System.Security.AccessControl.RegistrySecurity
        foreach ($sid in @($script:SystemSid, $script:AdministratorsSid)) {
            $rule = New-Object System.Security.AccessControl.RegistryAccessRule((Get-KanadeSid $sid), 'FullControl', 'ContainerInherit', 'None', 'Allow')
            $acl.AddAccessRule($rule)
        }
    }
    elseif (Test-Path -LiteralPath $Path -PathType Container) {
        $acl = New-Object System.Security.AccessControl.DirectorySecurity
        foreach ($sid in @($script:SystemSid, $script:AdministratorsSid)) {
            $rule = New-Object System.Security.AccessControl.FileSystemAccessRule((Get-KanadeSid $sid), 'FullControl', 'ContainerInherit, ObjectInherit', 'None', 'Allow')
            $acl.AddAccessRule($rule)
        }
    }
    else {
        $acl = New-Object System.Security.AccessControl.FileSecurity
        foreach ($sid in @($script:SystemSid, $script:AdministratorsSid)) {
            $rule = New-Object System.Security.AccessControl.FileSystemAccessRule((Get-KanadeSid $sid), 'FullControl', 'Allow')
            $acl.AddAccessRule($rule)
        }
    }
    $acl.SetAccessRuleProtection($true, $false)
    $acl.SetOwner((Get-KanadeSid $script:AdministratorsSid))
    Set-Acl -LiteralPath $Path -AclObject $acl
}

function New-KanadePrivateDirectory {
    param([string]$Path)
    New-Item -ItemType Directory -Path $Path -Force | Out-Null
    Set-KanadePrivateAcl -Path $Path
}

# HKLM:\SOFTWARE\Kanade\<role>, made if missing and locked to SYSTEM + Administrators (also when it
# holds no secret yet: the agent writes its own AgentSeed there at first start).
function New-KanadePrivateRegistryKey {
    param([string]$Role)
    $key = "$script:KanadeRegistryRoot\$Role"
    if (-not (Test-Path -LiteralPath $key)) { New-Item -Path $key -Force | Out-Null }
    Set-KanadePrivateAcl -Path $key
    return $key
}

# Secrets are REG_SZ values under HKLM:\SOFTWARE\Kanade\<role>; an empty value leaves the stored one alone.
function Set-KanadeSecret {
    param([string]$Role, [string]$Name, [string]$Value)
    if ($Value -eq '') { return }
    $key = New-KanadePrivateRegistryKey -Role $Role
    New-ItemProperty -LiteralPath $key -Name $Name -Value $Value -PropertyType String -Force | Out-Null
    Write-KanadeStep "stored $Name in $key"
}

function Get-KanadeSecret {
    param([string]$Role, [string]$Name)
    $key = "$script:KanadeRegistryRoot\$Role"
    $item = Get-ItemProperty -LiteralPath $key -Name $Name -ErrorAction SilentlyContinue
    if ($null -eq $item) { return '' }
    return [string]$item.$Name
}

# Writes a config file unless it exists (or -Force), then locks it down.
function Write-KanadeConfig {
    param([string]$Path, [string]$Text, [switch]$Force)
    if ((Test-Path -LiteralPath $Path) -and -not $Force) {
        Write-KanadeStep "keeping the existing $Path (pass -ForceConfig to rewrite it)"
        return
    }
    $utf8 = New-Object System.Text.UTF8Encoding($false)
    [System.IO.File]::WriteAllText($Path, $Text, $utf8)
    Set-KanadePrivateAcl -Path $Path
    Write-KanadeStep "wrote $Path"
}

# A TOML basic string: backslashes and quotes escaped.
function ConvertTo-KanadeTomlString {
    param([string]$Text)
    '"' + $Text.Replace('\', '\\').Replace('"', '\"') + '"'
}

function Stop-KanadeService {
    param([string]$Name, [int]$TimeoutSeconds = 90)
    $svc = Get-Service -Name $Name -ErrorAction SilentlyContinue
    if ($null -eq $svc) {
        Write-KanadeStep "service $Name not present, skipping stop"
        return
    }
    if ($svc.Status -ne 'Stopped') {
        Write-KanadeStep "stopping $Name"
        Stop-Service -Name $Name -Force
        $svc.WaitForStatus('Stopped', [TimeSpan]::FromSeconds($TimeoutSeconds))
    }
}

# Unregisters the service and waits until SCM has let go of it, so a re-deploy does not race a pending delete.
function Remove-KanadeService {
    param([string]$Name, [string]$Wrapper, [int]$TimeoutSeconds = 60)
    if ($null -eq (Get-Service -Name $Name -ErrorAction SilentlyContinue)) {
        Write-KanadeStep "service $Name not present, skipping unregister"
        return
    }
    Stop-KanadeService -Name $Name
    Write-KanadeStep "unregistering $Name"
    if (Test-Path -LiteralPath $Wrapper) {
        & $Wrapper uninstall | Out-Null
    }
    else {
        & sc.exe delete $Name | Out-Null
    }
    $deadline = (Get-Date).AddSeconds($TimeoutSeconds)
    while ($null -ne (Get-Service -Name $Name -ErrorAction SilentlyContinue)) {
        if ((Get-Date) -gt $deadline) {
            throw "service $Name is still registered after $TimeoutSeconds s (close services.msc or any tool holding it, then re-run)"
        }
        Start-Sleep -Milliseconds 500
    }
    Write-KanadeStep "service $Name removed"
}

function Install-KanadeService {
    param([string]$Name, [string]$Wrapper)
    if ($null -ne (Get-Service -Name $Name -ErrorAction SilentlyContinue)) {
        Write-KanadeStep "service $Name already registered (pass -Recreate to register it afresh)"
        return
    }
    Write-KanadeStep "registering $Name"
    & $Wrapper install
    if ($LASTEXITCODE -ne 0) { throw "$Wrapper install failed with exit code $LASTEXITCODE" }
}

# Copies each file from SourceDir into InstallDir, keeping the replaced copy as <file>.old until it succeeds.
function Copy-KanadeFiles {
    param([string]$SourceDir, [string]$InstallDir, [string[]]$Files)
    foreach ($file in $Files) {
        $source = Join-Path $SourceDir $file
        if (-not (Test-Path -LiteralPath $source)) { throw "missing $source (run this script from the dist\<role> folder or pass -SourceDir)" }
    }
    New-Item -ItemType Directory -Path $InstallDir -Force | Out-Null
    foreach ($file in $Files) {
        $target = Join-Path $InstallDir $file
        Copy-Item -LiteralPath (Join-Path $SourceDir $file) -Destination "$target.new" -Force
        if (Test-Path -LiteralPath $target) { Move-Item -LiteralPath $target -Destination "$target.old" -Force }
        Move-Item -LiteralPath "$target.new" -Destination $target -Force
        Remove-Item -LiteralPath "$target.old" -Force -ErrorAction SilentlyContinue
        Write-KanadeStep "installed $target"
    }
}

function Set-KanadeFirewallRule {
    param([string]$Role, [int]$Port)
    $name = "Kanade-$Role-tcp-$Port"
    Get-NetFirewallRule -Name "Kanade-$Role-*" -ErrorAction SilentlyContinue | Remove-NetFirewallRule
    New-NetFirewallRule -Name $name -DisplayName "Kanade $Role (TCP $Port in)" -Group 'Kanade' -Direction Inbound -Protocol TCP -LocalPort $Port -Action Allow | Out-Null
    Write-KanadeStep "firewall: allowed inbound TCP $Port ($name)"
}

function Remove-KanadeFirewallRule {
    param([string]$Role)
    $rules = @(Get-NetFirewallRule -Name "Kanade-$Role-*" -ErrorAction SilentlyContinue)
    if ($rules.Count -eq 0) {
        Write-KanadeStep "firewall rule Kanade-$Role-* not present, skipping"
        return
    }
    $rules | Remove-NetFirewallRule
    Write-KanadeStep "firewall: removed $($rules.Count) rule(s) Kanade-$Role-*"
}

# Waits until something accepts TCP connections on 127.0.0.1:Port.
function Wait-KanadeTcpPort {
    param([int]$Port, [int]$TimeoutSeconds = 60)
    $deadline = (Get-Date).AddSeconds($TimeoutSeconds)
    for (;;) {
        $client = New-Object System.Net.Sockets.TcpClient
        try {
            $client.Connect('127.0.0.1', $Port)
            return
        }
        catch {
            if ((Get-Date) -gt $deadline) { throw "nothing answers on 127.0.0.1:$Port after $TimeoutSeconds s" }
        }
        finally {
            $client.Dispose()
        }
        Start-Sleep -Seconds 1
    }
}

# Checks the service stays Running (a crash loop shows as Stopped/StartPending within a few seconds).
function Assert-KanadeServiceRunning {
    param([string]$Name, [int]$SettleSeconds = 10)
    $svc = Get-Service -Name $Name
    $svc.WaitForStatus('Running', [TimeSpan]::FromSeconds(60))
    Start-Sleep -Seconds $SettleSeconds
    $svc.Refresh()
    if ($svc.Status -ne 'Running') {
        throw "service $Name stopped again after starting; see $script:KanadeProgramData\<role>\logs"
    }
    Write-KanadeStep "service $Name is running"
}

function Remove-KanadePath {
    param([string]$Path)
    if (-not (Test-Path -LiteralPath $Path)) {
        Write-KanadeStep "$Path not present, skipping"
        return
    }
    Remove-Item -LiteralPath $Path -Recurse -Force
    Write-KanadeStep "removed $Path"
}

# The installed file and the half-done swap artefacts self-update or a deploy may have left.
function Remove-KanadeInstalledFile {
    param([string]$InstallDir, [string]$File)
    foreach ($suffix in @('', '.new', '.old', '.download')) {
        $path = Join-Path $InstallDir "$File$suffix"
        if (Test-Path -LiteralPath $path) {
            Remove-Item -LiteralPath $path -Force
            Write-KanadeStep "removed $path"
        }
        elseif ($suffix -eq '') {
            Write-KanadeStep "$path not present, skipping"
        }
    }
}

# Removes a folder left empty by the last component (never one that still holds another role's files).
function Remove-KanadeEmptyDirectory {
    param([string]$Path)
    if ((Test-Path -LiteralPath $Path) -and $null -eq (Get-ChildItem -LiteralPath $Path -Force | Select-Object -First 1)) {
        Remove-Item -LiteralPath $Path -Force
        Write-KanadeStep "removed empty $Path"
    }
}

function Write-KanadeBanner {
    param([string[]]$Lines)
    $bar = '!' * 78
    Write-Warning $bar
    foreach ($line in $Lines) { Write-Warning "!!  $line" }
    Write-Warning $bar
}
