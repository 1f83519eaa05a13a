# The labs' check functions and Pester graders (labs/lab15-…/Lab15.Tests.ps1, labs/lab16-…/Lab16.Tests.ps1): a hub in
# the lab's complete state passes the grader; a deliberately incomplete one fails it with the message a student reads.
# Also the Lab 15 device script's contract: a seed reproduces its telemetry, and SetFanState is case-sensitive.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-IotLabKitForTest
    # A short evaluation interval, as Lab 16's setup asks for, so configurations apply within seconds.
    $dataPath = Join-Path ([IO.Path]::GetTempPath()) "iotlabkit-pester-$PID"
    $script:Hub = Start-IotHubEmulator -InMemory -Port 0 -DataPath $dataPath -ConfigurationEvaluationInterval 00:00:02 -PassThru -ErrorAction Stop
    $script:ServiceConnectionString = (Get-IotHubEmulator -AsPlainText).ServiceConnectionString
    $script:EventHubConnectionString = Get-IotHubEventHubConnectionString -AsPlainText
    # Graders run in their own runspace, as an instructor's would: they find the emulator's CA the documented way.
    $script:SavedCa = $env:IOTLABKIT_EMULATOR_CA
    $env:IOTLABKIT_EMULATOR_CA = $script:Hub.CaCertificatePath

    $script:Lab15 = Join-Path $RepoRoot 'labs' 'lab15-remotely-monitor-and-control-devices'
    $script:Lab16 = Join-Path $RepoRoot 'labs' 'lab16-automate-iot-device-management'
    . (Join-Path $script:Lab15 'Lab15.Checks.ps1')
    . (Join-Path $script:Lab16 'Lab16.Checks.ps1')

    # Runs a grader the way an instructor does (New-PesterContainer -Data), in a runspace of its own so that it does not
    # disturb this Pester run; returns one object per grader test: Name, Result, Message.
    function Invoke-LabGrader([string] $Path, [hashtable] $Data) {
        $shell = [powershell]::Create([Management.Automation.RunspaceMode]::NewRunspace)
        try {
            $null = $shell.AddScript({
                param($PesterPath, $ModulePath, $GraderPath, $Data)
                Import-Module $PesterPath
                Import-Module $ModulePath
                $configuration = New-PesterConfiguration
                $configuration.Run.Container = New-PesterContainer -Path $GraderPath -Data $Data
                $configuration.Run.PassThru = $true
                $configuration.Output.Verbosity = 'None'
                $run = Invoke-Pester -Configuration $configuration
                if ($run.Containers[0].Result -ne 'Passed' -and $run.Containers[0].ErrorRecord) {
                    throw "The grader failed to run: $($run.Containers[0].ErrorRecord[0])"
                }
                foreach ($test in $run.Tests) {
                    [pscustomobject]@{ Name = $test.ExpandedName; Result = $test.Result; Message = "$($test.ErrorRecord | ForEach-Object { $_.Exception.Message })" }
                }
            }).AddParameters(@{ PesterPath = (Get-Module Pester).Path; ModulePath = $script:StagedModule; GraderPath = $Path; Data = $Data })
            $results = $shell.Invoke()
            if ($shell.HadErrors) { throw ($shell.Streams.Error | Select-Object -First 1) }
            $results
        }
        finally {
            $shell.Dispose()
        }
    }
}

AfterAll {
    Get-Job -ErrorAction SilentlyContinue | Where-Object { $_.PSJobTypeName -like '*Lab*' } | Stop-Job -ErrorAction SilentlyContinue
    Stop-SimulatedDevice -All -ErrorAction SilentlyContinue
    Stop-TestEmulator
    $env:IOTLABKIT_EMULATOR_CA = $script:SavedCa
}

Describe 'Lab 15 checks on an incomplete hub' {
    BeforeAll {
        # A device that exists but never ran the lab's apps: no telemetry, no method, no twin changes.
        $script:Bare = New-TestDeviceId 'bare'
        New-IotDevice -DeviceId $script:Bare | Out-Null
    }

    It 'says a missing device is missing and how to create it, without throwing' {
        $r = Test-Lab15DeviceExists -DeviceId 'no-such-sensor'
        $r.Check | Should -Be 'Test-Lab15DeviceExists'
        $r.Passed | Should -BeFalse
        $r.Message | Should -Be "Device 'no-such-sensor' does not exist in the hub. Run the lab's setup (Start-IotLab -Lab 15 -Step 1.1) or create it yourself: New-IotDevice -DeviceId no-such-sensor."
        (Test-Lab15TwinTags -DeviceId 'no-such-sensor').Message | Should -BeLike "Device 'no-such-sensor' does not exist in the hub.*"
    }

    It 'names the missing tags and desired properties and the exercise that sets them' {
        $tags = Test-Lab15TwinTags -DeviceId $script:Bare
        $tags.Passed | Should -BeFalse
        $tags.Message | Should -BeLike "The twin of '$script:Bare' does not have the lab's tags: customerID is (missing) (expected 'Customer1'); cheeseCave is (missing) (expected 'CheeseCave1'). Run the operator app with the twin code of Exercise 5*"

        Set-TwinDesired -DeviceId $script:Bare -Properties @{ patchId = 'set values'; temperature = '60'; humidity = '85' } | Out-Null
        $desired = Test-Lab15DesiredProperties -DeviceId $script:Bare
        $desired.Passed | Should -BeFalse
        $desired.Message | Should -Be ("The twin of '$script:Bare' does not have the lab's desired properties: temperature is '60' (expected '50'). Run the " +
            "operator app with the twin code of Exercise 5: it patches desired patchId = 'set values', temperature = '50' and humidity = '85'.")
    }

    It 'tells the student to start the device app first when nobody answers SetFanState' {
        $r = Test-Lab15FanStateMethod -DeviceId $script:Bare
        $r.Passed | Should -BeFalse
        $r.Message | Should -BeLike "The device did not answer SetFanState (the operator app prints 'Direct method failed: timed-out'). Start the device app first, then the operator*"
    }

    It 'says no telemetry arrived and what to check' {
        $r = Test-Lab15TelemetryArrived -DeviceId $script:Bare -TimeoutSeconds 2
        $r.Passed | Should -BeFalse
        $r.Message | Should -BeLike "No telemetry from '$script:Bare' has reached the hub. Start the device app (CheeseCaveDevice.csx)*device connection string*"
    }

    It 'names the missing message properties, and accepts a later message that has them' {
        # A device app that first forgot the application properties, then sent them: the check looks past the first message.
        $id = New-TestDeviceId 'props'
        New-IotDevice -DeviceId $id | Out-Null
        $sender = Join-Path $TestDrive 'Sender.csx'
        Set-Content $sender @'
using System.Text;
using IotLabKit.Device;
var client = DeviceClient.CreateFromConnectionString(DeviceConnectionString, TransportType.Mqtt);
var bare = new Message(Encoding.ASCII.GetBytes("{\"temperature\":70.1,\"humidity\":99.2}"));
await client.SendEventAsync(bare);
if (Args.Length > 0)
{
    var fixedMessage = new Message(Encoding.ASCII.GetBytes("{\"temperature\":70.2,\"humidity\":99.1}"));
    fixedMessage.Properties.Add("sensorID", "S1");
    fixedMessage.Properties.Add("fanAlert", "false");
    await client.SendEventAsync(fixedMessage);
}
await client.CloseAsync();
'@
        Invoke-IotLabScript -Path $sender -DeviceId $id 6>$null
        $r = Test-Lab15TelemetryArrived -DeviceId $id
        $r.Passed | Should -BeFalse
        $r.Message | Should -Be ("Telemetry from '$id' arrived ({""temperature"":70.1,""humidity"":99.2}) but without the application properties sensorID " +
            'and fanAlert. The device app must add sensorID = "S1" and fanAlert = "true"/"false" to every message (and temperatureAlert / ' +
            'humidityAlert = "true" while out of range).')

        Invoke-IotLabScript -Path $sender -DeviceId $id -ArgumentList fixed 6>$null
        $again = Test-Lab15TelemetryArrived -DeviceId $id
        $again.Passed | Should -BeTrue -Because $again.Message
        $again.Message | Should -Be "Telemetry from '$id' arrived: {""temperature"":70.2,""humidity"":99.1} with sensorID 'S1' (no alerts)."
    }

    It 'reports a grader failure in the student''s words, one test per rule' {
        $results = Invoke-LabGrader (Join-Path $script:Lab15 'Lab15.Tests.ps1') @{
            ConnectionString = $script:ServiceConnectionString; EventHubConnectionString = $script:EventHubConnectionString; DeviceIds = @($script:Bare) }
        $results.Count | Should -Be 7
        ($results | Where-Object Name -like '*exists').Result | Should -Be 'Passed'
        $tags = $results | Where-Object Name -like '*tags customerID and cheeseCave'
        $tags.Result | Should -Be 'Failed'
        $tags.Message | Should -BeLike "*because The twin of '$script:Bare' does not have the lab's tags: customerID is (missing)*"
        ($results | Where-Object Name -like '*SetFanState').Message | Should -BeLike '*Start the device app first, then the operator*'
        @($results | Where-Object Result -eq 'Failed').Count | Should -Be 6
    }
}

Describe 'Lab 15 end to end with the lab''s scripts' {
    It 'passes the grader once the device app and then the operator app have run' {
        New-IotDevice -DeviceId sensor-th-0055 | Out-Null
        $device = Invoke-IotLabScript -Path (Join-Path $script:Lab15 'scripts' 'CheeseCaveDevice.csx') -DeviceId sensor-th-0055 -Background
        try {
            Wait-Until { (Test-Lab15TelemetryArrived -TimeoutSeconds 2).Passed } 'the device app''s first message' 60
            $operator = Invoke-IotLabScript -Path (Join-Path $script:Lab15 'scripts' 'CheeseCaveOperator.csx') -Background
            try {
                Wait-Until { (Test-Lab15TwinSynchronized).Passed } 'the operator''s twin patch and the device''s report' 60
                Wait-Until { (Receive-Job $device -Keep | ForEach-Object { "$_" }) -contains 'Fan set to: On' } 'the device to turn the fan on' 30
                # The course's console strings, exactly.
                $deviceLines = @(Receive-Job $device -Keep | ForEach-Object { "$_" })
                $deviceLines | Should -Contain 'Cheese Cave device app.'
                $deviceLines | Should -Contain 'Message sent'
                $deviceLines -match '^Message data: \{"temperature":\d+(\.\d+)?,"humidity":\d+(\.\d+)?\}$' | Should -Not -BeNullOrEmpty
                $deviceLines | Should -Contain 'Setting desired humidity to 85'
                $deviceLines | Should -Contain 'Setting desired temperature to 50'
                $deviceLines -match '^Twin state reported: \{"fanstate":"(Off|On)","humidity":85\.0,"temperature":50\.0\}$' | Should -Not -BeNullOrEmpty
                $operatorLines = @(Receive-Job $operator -Keep | ForEach-Object { "$_" })
                $operatorLines | Should -Contain 'Cheese Cave Operator'
                $operatorLines | Should -Contain 'Devices in CheeseCave1: sensor-th-0055'
                $operatorLines | Should -Contain 'Direct method invoked: {"result":"Executed direct method: SetFanState"}'
                $operatorLines | Should -Contain 'Created receiver on partition: 3'
                $operatorLines -match '^Telemetry received: \{"temperature":' | Should -Not -BeNullOrEmpty
                $operatorLines | Should -Contain 'humidityAlert'
                $results = Invoke-LabGrader (Join-Path $script:Lab15 'Lab15.Tests.ps1') @{
                    ConnectionString = $script:ServiceConnectionString; EventHubConnectionString = $script:EventHubConnectionString }
                $failed = @($results | Where-Object Result -ne 'Passed')
                $failed | ForEach-Object Message | Should -BeNullOrEmpty
                $results.Count | Should -Be 7
            }
            finally { $operator | Stop-Job }
        }
        finally { $device | Stop-Job }
    }

    It 'repeats its telemetry for a seed, and SetFanState takes "On" but not "on"' {
        $first, $second = (New-TestDeviceId 'cave'), (New-TestDeviceId 'cave')
        $first, $second | ForEach-Object { New-IotDevice -DeviceId $_ } | Out-Null
        $script = Join-Path $script:Lab15 'scripts' 'CheeseCaveDevice.csx'
        # Two runs with the same seed at once, on two devices: the same readings in the same order.
        $jobs = @(
            Invoke-IotLabScript -Path $script -DeviceId $first -Seed 7 -Background
            Invoke-IotLabScript -Path $script -DeviceId $second -Seed 7 -Background
        )
        try {
            $runs = foreach ($id in $first, $second) {
                , @(Receive-IotTelemetry -DeviceId $id -StartPosition Earliest -Count 3 -Timeout 60 -Wait | ForEach-Object BodyText)
            }
            $runs[0].Count | Should -Be 3
            $runs[1] | Should -Be $runs[0]
            $runs[0][0] | Should -Match '^\{"temperature":\d+(\.\d+)?,"humidity":\d+(\.\d+)?\}$'

            $lower = Invoke-DeviceMethod -DeviceId $first -Name SetFanState -Payload '"on"'
            $lower.Status | Should -Be 400
            $lower.PayloadJson | Should -Be '{"result":"Invalid parameter"}'
            $upper = Invoke-DeviceMethod -DeviceId $first -Name SetFanState -Payload '"On"'
            $upper.Status | Should -Be 200
            $upper.PayloadJson | Should -Be '{"result":"Executed direct method: SetFanState"}'
        }
        finally { $jobs | Stop-Job }
    }
    It 'reproduces a fan failure from its seed: fanAlert turns true, SetFanState answers 400 Fan failed, and the check still passes' {
        # With seed 110147 the simulated fan fails on the first reading after it is turned on, whenever that is.
        $id = New-TestDeviceId 'failing'
        New-IotDevice -DeviceId $id | Out-Null
        $job = Invoke-IotLabScript -Path (Join-Path $script:Lab15 'scripts' 'CheeseCaveDevice.csx') -DeviceId $id -Seed 110147 -Background
        try {
            Wait-Until { (Test-Lab15TelemetryArrived -DeviceId $id -TimeoutSeconds 2).Passed } 'the device app''s first message' 60
            (Invoke-DeviceMethod -DeviceId $id -Name SetFanState -Payload '"On"').Status | Should -Be 200
            Wait-Until { (Receive-Job $job -Keep | ForEach-Object { "$_" }) -contains 'Fan has failed' } 'the fan to fail' 30
            Wait-Until { Receive-IotTelemetry -DeviceId $id -StartPosition Earliest | Where-Object { $_.Properties.fanAlert -eq 'true' } } 'a message with fanAlert true' 30

            $failed = Invoke-DeviceMethod -DeviceId $id -Name SetFanState -Payload '"On"'
            $failed.Status | Should -Be 400
            $failed.PayloadJson | Should -Be '{"result":"Fan failed"}'
            (Receive-Job $job -Keep | ForEach-Object { "$_" }) | Should -Contain 'Direct method failed: {"result":"Fan failed"}'
            $check = Test-Lab15FanStateMethod -DeviceId $id
            $check.Passed | Should -BeTrue
            $check.Message | Should -BeLike 'The device answered SetFanState: 400 {"result":"Fan failed"}. The method works; the simulated fan has failed*'
        }
        finally { $job | Stop-Job }
    }
}

Describe 'Lab 16 grader, with the lab''s device script' {
    BeforeAll {
        # Exercise 3, task 1: FwUpdateDevice.csx runs first, started as the course starts it: the connection string as args[0].
        New-IotDevice -DeviceId sensor-th-0155 | Out-Null
        $cs = Get-IotDeviceConnectionString -DeviceId sensor-th-0155 -AsPlainText
        $script:FwDevice = Invoke-IotLabScript -Path (Join-Path $script:Lab16 'scripts' 'FwUpdateDevice.csx') -ArgumentList $cs -DeviceId sensor-th-0155 -Background
        Wait-Until { (Test-Lab16DeviceBooted).Passed } 'the device app to boot'
    }

    AfterAll {
        $script:FwDevice | Stop-Job
        Remove-AutoConfiguration -Id firmwareupdate -Confirm:$false -ErrorAction SilentlyContinue
    }

    It 'fails a hub with no configuration and firmware 1.0.0, saying what to create' {
        $results = Invoke-LabGrader (Join-Path $script:Lab16 'Lab16.Tests.ps1') @{ ConnectionString = $script:ServiceConnectionString }
        $results.Count | Should -Be 5
        ($results | Where-Object Name -like '*sensor-th-0155 exists').Result | Should -Be 'Passed'
        $configuration = $results | Where-Object Name -like '*configuration firmwareupdate exists*'
        $configuration.Result | Should -Be 'Failed'
        $configuration.Message | Should -BeLike "*because The hub has no configuration 'firmwareupdate'. Create it (the portal's Device Twin Configuration): New-AutoConfiguration -Id firmwareupdate*"
        $firmware = $results | Where-Object Name -like '*reports firmware 1.0.1*'
        $firmware.Result | Should -Be 'Failed'
        $firmware.Message | Should -BeLike "*The device still reports firmware '1.0.0' and its twin has no desired firmware yet*5 minutes*"
    }

    It 'passes once the configuration has taken the device through the course''s firmware update to 1.0.1' {
        New-AutoConfiguration -Id firmwareupdate -TargetCondition "deviceId='sensor-th-0155'" -Priority 10 -DesiredProperties @{
            'properties.desired.firmware' = [ordered]@{ fwVersion = '1.0.1'; fwPackageURI = 'https://MyPackage.uri'; fwPackageCheckValue = '1234' }
        } -Metric @{ fwupdated = "SELECT deviceId FROM devices WHERE properties.reported.firmware.currentFwVersion='1.0.1'" } | Out-Null
        # The course's pace: downloading 0/25/50/75/100 (2 s apart), verifying, applying, rebooting (5 s each).
        Wait-Until { (Test-Lab16FirmwareUpdated).Passed } 'firmware 1.0.1 from the script' 90

        $log = @(Receive-Job $script:FwDevice -Keep | ForEach-Object { "$_" } | Where-Object { $_ -like 'sensor-th-0155: *' })
        $log | Should -Be @(
            'Device booted', 'Current firmware version: 1.0.0', 'Desired property changed:'
            '{"firmware":{"fwVersion":"1.0.1","fwPackageURI":"https://MyPackage.uri","fwPackageCheckValue":"1234"},"$version":2}'
            'A firmware update was requested from version 1.0.0 to version 1.0.1'
            'Downloading new firmware package from https://MyPackage.uri'
            'The new firmware package has been successfully downloaded.'
            'Verifying firmware package with checksum 1234'
            'The new firmware binary package has been successfully verified'
            'Applying new firmware', 'Rebooting', 'Device booted', 'Current firmware version: 1.0.1'
        ).ForEach({ "sensor-th-0155: $_" })
        # The last boot blanks the update's times again, as the course's InitDevice does.
        $firmware = (Get-Twin sensor-th-0155).Reported.firmware
        $firmware.pendingFwVersion | Should -Be ''
        $firmware.lastFwUpdateEndTime | Should -Be ''

        $results = Invoke-LabGrader (Join-Path $script:Lab16 'Lab16.Tests.ps1') @{ ConnectionString = $script:ServiceConnectionString }
        $results | Where-Object Result -ne 'Passed' | ForEach-Object Message | Should -BeNullOrEmpty
        $results.Count | Should -Be 5
        (Test-Lab16MetricsCounted).Message | Should -Be 'The configuration firmwareupdate counts targeted 1, applied 1, fwupdated 1.'
    }

    It 'says what is wrong with a configuration that is not the lab''s, and how to fix it' {
        Set-AutoConfiguration -Id firmwareupdate -TargetCondition "deviceId='sensor-th-0050'" -Priority 5 -Force | Out-Null
        $r = Test-Lab16ConfigurationExists
        $r.Passed | Should -BeFalse
        $r.Message | Should -Be ("The configuration 'firmwareupdate' is not the lab's: its target condition is ""deviceId='sensor-th-0050'"" (expected " +
            """deviceId='sensor-th-0155'"" - the device is sensor-th-0155); its priority is 5 (expected 10). Fix it with Set-AutoConfiguration firmwareupdate " +
            "(target condition, priority and metrics can be changed).")
    }
}

Describe 'Lab 16''s optional at-scale exercise' {
    It 'updates Lewis''s five devices, then Smith''s, each batch by its own configuration' {
        $records = @(Start-IotLab -Lab 16 -Step 4.1 -Auto -IncludeOptional 6>&1)
        $run = $records | Where-Object { $_ -isnot [System.Management.Automation.InformationRecord] }
        $batches = @($run.Tasks | Where-Object Step -in '4.2', '4.3')
        $batches.Passed | Should -Be @($true, $true) -Because (($run.Tasks | ForEach-Object { "$($_.Step) $($_.Outcome): $($_.Message)" }) -join '; ')
        $batches[0].Message | Should -Be "All 5 of Lewis's devices report firmware 1.0.1 (firmwareupdatelewis: targeted 5)."
        (Get-AutoConfiguration firmwareupdatesmith).TargetCondition | Should -Be "tags.customer.name='Smith'"
        (Get-Twin simulateddevice6).Tags.customer.name | Should -Be 'Smith'
        @(Get-SimulatedDevice -DeviceId simulateddevice* | Where-Object State -eq 'Running') | Should -BeNullOrEmpty
    }
}
