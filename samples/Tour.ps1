<#
.SYNOPSIS
    An unattended tour of IotLabKit: emulator, device, desired properties, twin.

.DESCRIPTION
    Imports the module the build staged (out/IotLabKit), starts an in-memory emulator on a free port, creates
    device d1, sets a desired property, reads the twin back and shows it, and stops the emulator. Every step is
    checked; the script exits with 1 on the first thing that is not as it should be.

    Run it through build.ps1 (which builds first):  dotnet pwsh ./build.ps1 -Task Tour

.PARAMETER ModulePath
    The module to import; by default the one the build staged in out/IotLabKit.
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '..' 'out' 'IotLabKit')
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
# Colour codes only for a terminal; a CI log or a file gets plain text.
if ([Console]::IsOutputRedirected -or $env:CI -or $env:NO_COLOR) { $PSStyle.OutputRendering = 'PlainText' }

function Show-Step([string] $command) {
    Write-Host ''
    Write-Host "PS> $command" -ForegroundColor Cyan
}

function Show-Object {
    # A fixed width, so the views read the same in a terminal, a redirected log and CI.
    param([Parameter(ValueFromPipeline)] $InputObject, [switch] $Table)
    end {
        $formatted = if ($Table) { $input | Format-Table -AutoSize } else { $input | Format-List }
        Write-Host ($formatted | Out-String -Width 140).Trim([char[]]"`r`n")
    }
}

function Assert-Tour([bool] $condition, [string] $expectation) {
    if (-not $condition) { throw "The tour expected $expectation." }
}

$started = $false
try {
    if (-not (Test-Path (Join-Path $ModulePath 'IotLabKit.psd1'))) {
        throw "No module at $ModulePath. Build first: dotnet pwsh ./build.ps1"
    }
    Import-Module $ModulePath -Force

    # Port 0: any free port, so the tour never collides with an emulator or a web server already running.
    Show-Step 'Start-IotHubEmulator -InMemory -Port 0 -PassThru'
    $emulator = Start-IotHubEmulator -InMemory -Port 0 -PassThru
    $started = $true
    $emulator | Show-Object

    Show-Step 'New-IotDevice -DeviceId d1'
    $device = New-IotDevice -DeviceId d1
    $device | Show-Object -Table
    Assert-Tour ($device.DeviceId -eq 'd1') 'New-IotDevice to return device d1'

    Show-Step "Set-TwinDesired -DeviceId d1 -Properties @{ telemetryConfig = @{ sendFrequency = '5m' } }"
    $null = Set-TwinDesired -DeviceId d1 -Properties @{ telemetryConfig = @{ sendFrequency = '5m' } }

    Show-Step 'Get-Twin -DeviceId d1'
    $twin = Get-Twin -DeviceId d1
    $twin | Show-Object

    Show-Step '$twin.Desired | ConvertTo-Json -Depth 10'
    $twin.Desired | ConvertTo-Json -Depth 10 | Write-Host

    $desired = $twin.Desired
    Assert-Tour ($desired.telemetryConfig.sendFrequency -eq '5m') "desired telemetryConfig.sendFrequency to be '5m'"
    Assert-Tour ($desired.'$version' -eq 2) 'desired $version 2 (1 at creation, +1 for the patch)'
    Assert-Tour ($null -ne $desired.'$metadata'.telemetryConfig.sendFrequency.'$lastUpdated') 'desired $metadata for telemetryConfig.sendFrequency'

    Show-Step 'Stop-IotHubEmulator'
    Stop-IotHubEmulator
    $started = $false

    Write-Host ''
    Write-Host 'Tour complete: emulator, device, desired property and twin all behaved.' -ForegroundColor Green
    exit 0
}
catch {
    Write-Host ''
    Write-Host "Tour failed: $($_.Exception.Message)" -ForegroundColor Red
    if ($_.FullyQualifiedErrorId -ne $_.Exception.Message) { Write-Host "  ($($_.FullyQualifiedErrorId))" }
    exit 1
}
finally {
    # Leave nothing running, whichever step failed.
    if ($started) { Stop-IotHubEmulator -ErrorAction SilentlyContinue }
}
