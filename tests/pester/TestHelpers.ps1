# Shared set-up for the IotLabKit Pester tests: load the staged module (out/IotLabKit, built by `dotnet build`)
# and start a real in-memory emulator on a free port. Dot-source it from BeforeAll.

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path
$script:StagedModule = Join-Path $script:RepoRoot 'out' 'IotLabKit' 'IotLabKit.psd1'

function Import-IotLabKitForTest {
    if (-not (Test-Path $script:StagedModule)) {
        throw "The module is not staged at $script:StagedModule. Run 'dotnet build' first."
    }
    Import-Module $script:StagedModule -Force -ErrorAction Stop
}

function Start-TestEmulator {
    # A data folder per test process keeps keys and certificates away from the user's own emulator.
    $dataPath = Join-Path ([IO.Path]::GetTempPath()) "iotlabkit-pester-$PID"
    Start-IotHubEmulator -InMemory -Port 0 -DataPath $dataPath -PassThru -ErrorAction Stop
}

function Stop-TestEmulator {
    Stop-IotHubEmulator -ErrorAction SilentlyContinue
}

function New-TestDeviceId([string] $Prefix = 'dev') {
    # Ids unique per test so tests never depend on each other's devices.
    "$Prefix-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
}

function ConvertFrom-SecureStringToText([securestring] $Secure) {
    [Net.NetworkCredential]::new('', $Secure).Password
}

function Wait-Until([scriptblock] $Condition, [string] $What, [int] $TimeoutSeconds = 60) {
    # Waits for a state the emulator and the devices reach by themselves, checking every 100 ms; a timeout is a failure.
    $deadline = (Get-Date).AddSeconds($TimeoutSeconds)
    while (-not (& $Condition)) {
        if ((Get-Date) -gt $deadline) { throw "Timed out after $TimeoutSeconds s waiting for $What." }
        Start-Sleep -Milliseconds 100
    }
}
