<#
.SYNOPSIS
    Runs an AZ-220 lab unattended end to end against the embedded emulator, then grades it and prints the score.

.DESCRIPTION
    Imports the module the build staged (out/IotLabKit) and runs Start-IotLab -Lab 15 (or 16) -Auto with no hub
    connected, so the lab's setup starts the embedded IoT Hub emulator in memory, exactly as a student's first
    Start-IotLab does. The lab's apps keep running (-KeepRunning) while Test-IotLab grades the hub with the lab's
    Pester grader (Lab 15's grader calls the device's direct method), then they stop and the emulator stops.
    Exits with 1 when a task or checkpoint failed or a check did not pass.

    Run it through build.ps1 (which builds first):  dotnet pwsh ./build.ps1 -Task Demo [-Lab 16]

.PARAMETER Lab
    The lab to run: 15 (Remotely monitor and control devices) or 16 (Automate IoT device management).

.PARAMETER PesterPath
    Pester 5's module (Pester.psd1) for the grader; build.ps1 passes the one it restored. Default: an installed one.

.PARAMETER ModulePath
    The module to import; by default the one the build staged in out/IotLabKit.
#>
[CmdletBinding()]
param(
    [ValidateSet(15, 16)]
    [int] $Lab = 15,

    [string] $PesterPath,

    [string] $ModulePath = (Join-Path $PSScriptRoot '..' 'out' 'IotLabKit')
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
# Colour codes only for a terminal; a CI log or a file gets plain text (and no progress bars).
if ([Console]::IsOutputRedirected -or $env:CI -or $env:NO_COLOR) {
    $PSStyle.OutputRendering = 'PlainText'
    $ProgressPreference = 'SilentlyContinue'
}

Import-Module $ModulePath
if ($PesterPath) { Import-Module $PesterPath } else { Import-Module Pester -MinimumVersion 5.0 }

# A fresh start: the lab's setup starts the embedded emulator itself when no hub is connected.
Disconnect-IotHub -ErrorAction SilentlyContinue
try {
    $run = Start-IotLab -Lab $Lab -Auto -KeepRunning
    $grade = Test-IotLab -Lab $Lab
}
finally {
    Get-Job | Where-Object PSJobTypeName -eq 'IotLabScript' | Remove-Job -Force
    Stop-IotHubEmulator -ErrorAction SilentlyContinue
}

Write-Host ''
Write-Host "Lab $($run.Lab): $($run.Title)" -ForegroundColor Yellow
Write-Host ("Tasks: {0}; checkpoints passed: {1}, failed: {2}; grader: {3}" -f $run.Tasks.Count, $run.CheckpointsPassed, $run.CheckpointsFailed, $grade.Score)
$failedTasks = @($run.Tasks | Where-Object { $_.Outcome -eq 'Failed' -or $_.Passed -eq $false })
foreach ($task in $failedTasks) { Write-Host "  task $($task.Step): $($task.Message)" -ForegroundColor Red }
if (-not $run.Completed -or $failedTasks.Count -gt 0 -or $grade.Failed -gt 0) {
    Write-Host "Lab $Lab did not pass." -ForegroundColor Red
    exit 1
}
Write-Host "Lab $Lab passed: $($grade.Score)." -ForegroundColor Green
