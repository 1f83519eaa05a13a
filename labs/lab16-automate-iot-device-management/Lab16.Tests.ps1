# Lab 16's grader: checks a hub's state after "Automate IoT Device Management with Azure IoT Hub".
# Every rule lives in Lab16.Checks.ps1; this file only asserts them, so a failure reads as the check's message.
#
#   $container = New-PesterContainer -Path ./Lab16.Tests.ps1 -Data @{ ConnectionString = '<iothubowner connection string>' }
#   Invoke-Pester -Container $container -Output Detailed
#
# Without -ConnectionString it grades the hub this PowerShell session is connected to. On the emulator the grader asks
# for an evaluation of the configurations first (a real hub evaluates them every 5 minutes; there it is not needed).
param(
    [string] $ConnectionString,
    [string] $EventHubConnectionString,
    [string[]] $DeviceIds = @('sensor-th-0155')
)

BeforeAll {
    if (-not (Get-Command Connect-IotHub -ErrorAction SilentlyContinue)) { Import-Module IotLabKit -ErrorAction Stop }
    if ($ConnectionString) { Connect-IotHub -ConnectionString $ConnectionString -ErrorAction Stop | Out-Null }
    . (Join-Path $PSScriptRoot 'Lab16.Checks.ps1')
    $script:DeviceId = $DeviceIds[0]
}

Describe 'Lab 16: Automate IoT Device Management with Azure IoT Hub' {
    It 'Exercise 1: the device sensor-th-0155 exists' {
        $r = Test-Lab16DeviceExists -DeviceId $script:DeviceId
        $r.Passed | Should -BeTrue -Because $r.Message
    }

    It 'Exercise 3: the configuration firmwareupdate exists with the lab''s target, priority, content and metric' {
        $r = Test-Lab16ConfigurationExists -DeviceId $script:DeviceId
        $r.Passed | Should -BeTrue -Because $r.Message
    }

    It 'Exercise 3: the device reports firmware 1.0.1 and fwUpdateStatus current' {
        $r = Test-Lab16FirmwareUpdated -DeviceId $script:DeviceId
        $r.Passed | Should -BeTrue -Because $r.Message
    }

    It 'Exercise 3: the twin shows the configuration as Applied' {
        $r = Test-Lab16ConfigurationApplied -DeviceId $script:DeviceId -EvaluateNow
        $r.Passed | Should -BeTrue -Because $r.Message
    }

    It 'Exercise 3: the metrics count the device (targeted 1, applied 1, fwupdated 1)' {
        $r = Test-Lab16MetricsCounted -DeviceId $script:DeviceId -EvaluateNow
        $r.Passed | Should -BeTrue -Because $r.Message
    }
}
