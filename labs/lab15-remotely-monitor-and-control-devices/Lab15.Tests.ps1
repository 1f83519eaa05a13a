# Lab 15's grader: checks a hub's state after "Remotely monitor and control devices with Azure IoT Hub".
# Every rule lives in Lab15.Checks.ps1; this file only asserts them, so a failure reads as the check's message.
#
#   $container = New-PesterContainer -Path ./Lab15.Tests.ps1 -Data @{ ConnectionString = '<iothubowner connection string>' }
#   Invoke-Pester -Container $container -Output Detailed
#
# Without -ConnectionString it grades the hub this PowerShell session is connected to (Start-IotLab, Start-IotHubEmulator
# or Connect-IotHub). -EventHubConnectionString lets it read a real hub's telemetry from its Event Hubs-compatible endpoint.
param(
    [string] $ConnectionString,
    [string] $EventHubConnectionString,
    [string[]] $DeviceIds = @('sensor-th-0055')
)

BeforeAll {
    if (-not (Get-Command Connect-IotHub -ErrorAction SilentlyContinue)) { Import-Module IotLabKit -ErrorAction Stop }
    if ($ConnectionString) { Connect-IotHub -ConnectionString $ConnectionString -ErrorAction Stop | Out-Null }
    . (Join-Path $PSScriptRoot 'Lab15.Checks.ps1')
    $script:DeviceId = $DeviceIds[0]
}

Describe 'Lab 15: Remotely monitor and control devices with Azure IoT Hub' {
    It 'Exercise 1: the device sensor-th-0055 exists' {
        $r = Test-Lab15DeviceExists -DeviceId $script:DeviceId
        $r.Passed | Should -BeTrue -Because $r.Message
    }

    It 'Exercise 2: telemetry arrived with the sensorID and alert properties' {
        $r = Test-Lab15TelemetryArrived -DeviceId $script:DeviceId -EventHubConnectionString $EventHubConnectionString
        $r.Passed | Should -BeTrue -Because $r.Message
    }

    It 'Exercise 4: the device answers the direct method SetFanState' {
        $r = Test-Lab15FanStateMethod -DeviceId $script:DeviceId
        $r.Passed | Should -BeTrue -Because $r.Message
    }

    It 'Exercise 5: the twin has the tags customerID and cheeseCave' {
        $r = Test-Lab15TwinTags -DeviceId $script:DeviceId
        $r.Passed | Should -BeTrue -Because $r.Message
    }

    It 'Exercise 5: the twin has the desired patchId, temperature and humidity' {
        $r = Test-Lab15DesiredProperties -DeviceId $script:DeviceId
        $r.Passed | Should -BeTrue -Because $r.Message
    }

    It 'Exercise 5: the device reported fanstate, humidity and temperature' {
        $r = Test-Lab15ReportedProperties -DeviceId $script:DeviceId
        $r.Passed | Should -BeTrue -Because $r.Message
    }

    It 'Exercise 5: the query by tags.cheeseCave finds the device' {
        $r = Test-Lab15CheeseCaveQuery -DeviceId $script:DeviceId
        $r.Passed | Should -BeTrue -Because $r.Message
    }
}
