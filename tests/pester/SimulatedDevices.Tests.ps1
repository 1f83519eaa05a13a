# Simulated devices and direct methods against a real emulator: Start/Get/Stop-SimulatedDevice, New-SimulatedFleet,
# Invoke-DeviceMethod. The first Describe runs on an empty hub, so Get-IotDevice lists only its three devices.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-IotLabKitForTest
    Start-TestEmulator | Out-Null

    # Waits for a condition (polling the hub), failing with $What after $TimeoutSec; never a fixed sleep.
    function Wait-Until([scriptblock] $Condition, [string] $What, [int] $TimeoutSec = 30) {
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
        while (-not (& $Condition)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "Not within $TimeoutSec s: $What" }
            Start-Sleep -Milliseconds 100
        }
    }
}

AfterAll {
    Stop-SimulatedDevice -All -ErrorAction SilentlyContinue
    Stop-TestEmulator
}

Describe 'The must-show: rebooting three simulated devices' {
    It 'Get-IotDevice | Invoke-DeviceMethod -Name reboot returns three results, and the twins show the reboot' {
        $ids = 'cave-1', 'cave-2', 'cave-3'
        $started = $ids | Start-SimulatedDevice -Create -Behavior Reboot, Telemetry
        $started.Count | Should -Be 3
        $started | ForEach-Object { $_.PSTypeNames | Should -Contain 'IotLabKit.SimulatedDevice' }

        $results = Get-IotDevice | Invoke-DeviceMethod -Name reboot

        $results.Count | Should -Be 3
        $results.DeviceId | Should -Be $ids
        foreach ($result in $results) {
            $result.PSTypeNames | Should -Contain 'IotLabKit.DeviceMethodResult'
            $result.Status | Should -Be 200
            $result.Payload.result | Should -Be 'Reboot started.'
        }
        foreach ($id in $ids) {
            Wait-Until { (Get-Twin $id).Reported.iothubDM.reboot.status -eq 'completed' } "the twin of $id shows the reboot completed"
            $reboot = (Get-Twin $id).Reported.iothubDM.reboot
            [DateTimeOffset]::Parse($reboot.lastRebootEndTime) | Should -BeGreaterThan ([DateTimeOffset]::Parse($reboot.lastReboot))
        }
        (Get-SimulatedDevice $ids).RestartCount | Should -Be @(1, 1, 1)
        (Get-SimulatedDevice $ids).LastMethod | Should -Be @('reboot', 'reboot', 'reboot')
    }
}

Describe 'Invoke-DeviceMethod' {
    BeforeAll {
        $script:echo = New-TestDeviceId 'echo'
        Start-SimulatedDevice $echo -Create -Behavior None | Out-Null
    }

    It 'turns a device that is not online into an ErrorRecord that says so' {
        $offline = New-TestDeviceId 'offline'
        New-IotDevice $offline | Out-Null

        $result = Invoke-DeviceMethod $offline reboot -ErrorVariable failures -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'InvokeDeviceMethodDeviceNotOnline,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        $failures[0].TargetObject | Should -Be $offline
        $failures[0].Exception.Message | Should -Be "The device '$offline' is not online (or has not subscribed to direct methods)."
    }

    It 'turns a device that does not answer in time into a timeout ErrorRecord' {
        $silent = New-TestDeviceId 'silent'
        Start-SimulatedDevice $silent -Create -Behavior Reboot -MethodResponseDelay '00:01:00' | Out-Null

        $result = Invoke-DeviceMethod $silent reboot -ResponseTimeout 5 -ErrorVariable failures -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'InvokeDeviceMethodTimeout,*'
        $failures[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        $failures[0].Exception.Message | Should -Be "The device '$silent' did not answer the direct method 'reboot' within 5 s."
        Stop-SimulatedDevice $silent
    }

    It 'returns a status other than 200 as data, not as an error' {
        $result = Invoke-DeviceMethod $echo doesNotExist -ErrorVariable failures

        $failures | Should -BeNullOrEmpty
        $result.Status | Should -Be 501
        $result.Payload.result | Should -BeLike "*no direct method 'doesNotExist'*"
    }

    It 'names a device that does not exist' {
        Invoke-DeviceMethod 'no-such-device' reboot -ErrorVariable failures -ErrorAction SilentlyContinue | Out-Null
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'InvokeDeviceMethodNotFound,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'sends <Name> as <Json>' -ForEach @(
        @{ Name = 'a hashtable'; Payload = [ordered]@{ mode = 'eco'; delay = 5 }; Json = '{"mode":"eco","delay":5}' }
        @{ Name = 'a PSCustomObject'; Payload = [pscustomobject]@{ on = $true }; Json = '{"on":true}' }
        @{ Name = 'plain text'; Payload = 'On'; Json = '"On"' }
        @{ Name = 'JSON text'; Payload = '{"a":[1,2]}'; Json = '{"a":[1,2]}' }
        @{ Name = 'a number'; Payload = 10; Json = '10' }
        @{ Name = 'a list'; Payload = @(1, 'two'); Json = '[1,"two"]' }
    ) {
        Invoke-DeviceMethod $echo "payload-check" -Payload $Payload | Out-Null
        (Get-SimulatedDevice $echo).Log.Text | Should -Contain "Direct method payload-check called with $Json"
    }

    It 'sends no payload as null' {
        Invoke-DeviceMethod $echo 'no-payload' | Out-Null
        (Get-SimulatedDevice $echo).Log.Text | Should -Contain 'Direct method no-payload called with null'
    }

    It 'calls nothing with -WhatIf' {
        $before = (Get-SimulatedDevice $echo).MethodCalls
        Invoke-DeviceMethod $echo reboot -WhatIf | Should -BeNullOrEmpty
        (Get-SimulatedDevice $echo).MethodCalls | Should -Be $before
    }
}

Describe 'Simulated device patterns' {
    It 'reports a desired telemetryConfig back with status success and sends at the new pace' {
        $id = New-TestDeviceId 'cfg'
        $device = Start-SimulatedDevice $id -Create -Behavior TelemetryConfig, Telemetry

        Set-TwinDesired $id @{ 'telemetryConfig.sendFrequency' = '250ms' } | Out-Null

        Wait-Until { (Get-Twin $id).Reported.telemetryConfig.sendFrequency -eq '250ms' } 'the new frequency reported'
        $config = (Get-Twin $id).Reported.telemetryConfig
        $config.status | Should -Be 'success'
        $config.sendFrequencyInSeconds | Should -Be 0.25
        $device.TelemetryInterval | Should -Be ([TimeSpan]::FromMilliseconds(250))
        $sent = $device.MessagesSent
        Wait-Until { $device.MessagesSent -ge $sent + 4 } 'four more messages at 250 ms'
    }

    It 'reports a telemetryConfig it cannot use as failed, with the reason' {
        $id = New-TestDeviceId 'cfgbad'
        Start-SimulatedDevice $id -Create -Behavior TelemetryConfig | Out-Null

        Set-TwinDesired $id @{ 'telemetryConfig.sendFrequency' = 'sometimes' } | Out-Null

        Wait-Until { (Get-Twin $id).Reported.telemetryConfig.status -eq 'failed' } 'status failed'
        (Get-Twin $id).Reported.telemetryConfig.error | Should -BeLike "'sometimes' is not a duration*"
        (Get-Twin $id).Reported.telemetryConfig.sendFrequency | Should -Be '5s'
    }

    It 'runs the Lab 16 firmware update to 1.0.1' {
        $id = New-TestDeviceId 'fw'
        $device = Start-SimulatedDevice $id -Create -Behavior FirmwareUpdate -TimeScale 0.05
        (Get-Twin $id).Reported.firmware.currentFwVersion | Should -Be '1.0.0'

        Set-TwinDesired $id @{ firmware = @{ fwVersion = '1.0.1'; fwPackageURI = 'https://MyPackage.uri'; fwPackageCheckValue = '1234' } } | Out-Null

        Wait-Until { (Get-Twin $id).Reported.firmware.currentFwVersion -eq '1.0.1' } 'currentFwVersion 1.0.1'
        (Get-Twin $id).Reported.firmware.fwUpdateStatus | Should -Be 'current'
        $device.Log.Text | Should -Contain 'Downloading new firmware package from https://MyPackage.uri'
        $device.Log.Text | Should -Contain 'Current firmware version: 1.0.1'
    }
}

Describe 'Start-SimulatedDevice, Get-SimulatedDevice and Stop-SimulatedDevice' {
    It 'refuses a device that does not exist unless -Create is given' {
        $id = New-TestDeviceId 'absent'
        Start-SimulatedDevice $id -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'StartSimulatedDeviceNotFound,*'
        $failures[0].ErrorDetails.RecommendedAction | Should -BeLike '*-Create*'
        Get-IotDevice $id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'refuses to simulate the same device twice' {
        $id = New-TestDeviceId 'twice'
        Start-SimulatedDevice $id -Create -Behavior None | Out-Null
        Start-SimulatedDevice $id -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'StartSimulatedDeviceAlreadyRunning,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ResourceExists'
    }

    It 'says why a disabled device cannot start' {
        $id = New-TestDeviceId 'disabled'
        New-IotDevice $id -Status Disabled | Out-Null
        Start-SimulatedDevice $id -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'StartSimulatedDeviceUnauthorized,*'
        $failures[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        Get-SimulatedDevice $id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'creates nothing with -WhatIf' {
        $id = New-TestDeviceId 'whatif'
        Start-SimulatedDevice $id -Create -WhatIf | Should -BeNullOrEmpty
        Get-IotDevice $id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-SimulatedDevice $id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'shows a running device as connected, and a stopped one as gone and disconnected' {
        $id = New-TestDeviceId 'stop'
        Start-SimulatedDevice $id -Create -Behavior Telemetry -TelemetryInterval '00:00:00.2' -Seed 7 | Out-Null
        $device = Get-SimulatedDevice $id
        $device.State | Should -Be 'Running'
        $device.ConnectionStatus | Should -Be 'Connected'
        $device.Seed | Should -Be 7
        (Get-IotDevice $id).ConnectionState | Should -Be 'Connected'
        ($device | Format-Table | Out-String) | Should -Match $id

        $stopped = $id | Stop-SimulatedDevice -PassThru

        $stopped.State | Should -Be 'Stopped'
        # The hub records the DISCONNECT a moment after the client returns from closing.
        Wait-Until { (Get-IotDevice $id).ConnectionState -eq 'Disconnected' } "$id disconnected" -TimeoutSeconds 15
        Get-SimulatedDevice $id -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'GetSimulatedDeviceNotFound,*'
    }
}

Describe 'New-SimulatedFleet' {
    It 'creates, tags and starts the devices, and running it again reuses them' {
        $fleet = New-SimulatedFleet -Count 3 -Prefix 'lewis-' -Tags @{ 'customer.name' = 'Lewis' } -Behavior Reboot

        $fleet.Count | Should -Be 3
        $fleet.DeviceId | Should -Be @('lewis-1', 'lewis-2', 'lewis-3')
        foreach ($device in $fleet) {
            $device.State | Should -Be 'Running'
            (Get-Twin $device.DeviceId).Tags.customer.name | Should -Be 'Lewis'
            (Get-IotDevice $device.DeviceId).ConnectionState | Should -Be 'Connected'
        }

        Stop-SimulatedDevice 'lewis-*'
        $again = New-SimulatedFleet -Count 3 -Prefix 'lewis-' -Tags @{ region = 'west' } -Behavior None
        $again.Count | Should -Be 3
        (Get-Twin 'lewis-2').Tags.region | Should -Be 'west'
        (Get-Twin 'lewis-2').Tags.customer.name | Should -Be 'Lewis'
        Stop-SimulatedDevice 'lewis-*'
    }

    It 'pads the numbers to the width of the count' {
        $fleet = New-SimulatedFleet -Count 12 -Prefix 'pad-' -Behavior None
        $fleet[0].DeviceId | Should -Be 'pad-01'
        $fleet[11].DeviceId | Should -Be 'pad-12'
        Stop-SimulatedDevice 'pad-*'
    }
}
