# Lab 15's check functions: each rule the student's hub must satisfy, in one place. The lab runner's checkpoints and
# the grader (Lab15.Tests.ps1) call them; the contract is labs/README.md. They use the session's hub connection.

. (Join-Path $PSScriptRoot '..' 'common' 'LabCheckHelpers.ps1')

function Test-Lab15DeviceExists {
    [CmdletBinding()]
    param([string] $DeviceId = 'sensor-th-0055', [string[]] $DeviceIds)
    Test-LabDeviceExists -Check 'Test-Lab15DeviceExists' -DeviceId $DeviceId -Lab 15
}

function Test-Lab15TelemetryArrived {
    # The device app's telemetry reached the hub with the properties the operator reads: sensorID and fanAlert on every
    # message, temperatureAlert and humidityAlert only while out of range.
    [CmdletBinding()]
    param([string] $DeviceId = 'sensor-th-0055', [string[]] $DeviceIds, [string] $EventHubConnectionString, [int] $TimeoutSeconds = 10)
    $check = 'Test-Lab15TelemetryArrived'
    Invoke-LabCheck -Check $check -Body {
        # Read from the Event Hubs-compatible endpoint (the session emulator's, or a real hub's): the oldest message first;
        # if it lacks the properties (a first attempt before the app was fixed), any later one that has them will do.
        $receive = @{ DeviceId = $DeviceId; StartPosition = 'Earliest'; WarningAction = 'SilentlyContinue'; ErrorAction = 'Stop' }
        if ($EventHubConnectionString) { $receive.EventHubConnectionString = $EventHubConnectionString }
        $hasProperties = { param($m) $null -ne $m.Properties.sensorID -and $null -ne $m.Properties.fanAlert }
        $message = Receive-IotTelemetry @receive -Count 1 -Timeout $TimeoutSeconds | Select-Object -First 1
        if ($message -and -not (& $hasProperties $message)) {
            # Without -Count and -Timeout the read stops once it has caught up with what the hub holds.
            $message = @(Receive-IotTelemetry @receive | Where-Object { & $hasProperties $_ } | Select-Object -Last 1) + $message | Select-Object -First 1
        }
        if (-not $message) {
            return New-LabCheckResult $check $false ("No telemetry from '$DeviceId' has reached the hub. Start the device app (CheeseCaveDevice.csx) and " +
                "check that it prints 'Message sent' every 5 seconds; if it prints an error instead, check the device connection string " +
                "(the device's, not the service's).")
        }
        $properties = $message.Properties
        $missing = @('sensorID', 'fanAlert') | Where-Object { $null -eq $properties.$_ }
        if ($missing) {
            return New-LabCheckResult $check $false ("Telemetry from '$DeviceId' arrived ($($message.BodyText)) but without the application " +
                "propert$(if (@($missing).Count -gt 1) { 'ies' } else { 'y' }) $($missing -join ' and '). The device app must add sensorID = ""S1"" and " +
                "fanAlert = ""true""/""false"" to every message (and temperatureAlert / humidityAlert = ""true"" while out of range).")
        }
        $alerts = @('fanAlert', 'temperatureAlert', 'humidityAlert') | Where-Object { $properties.$_ -eq 'true' }
        $alertText = if ($alerts) { "alerts: $($alerts -join ', ')" } else { 'no alerts' }
        New-LabCheckResult $check $true "Telemetry from '$DeviceId' arrived: $($message.BodyText) with sensorID '$($properties.sensorID)' ($alertText)."
    }
}

function Test-Lab15FanStateMethod {
    # The device app answers the direct method SetFanState. Calling it with "On" is what the operator app does; a
    # failed fan (400 "Fan failed") still proves the method is there.
    [CmdletBinding()]
    param([string] $DeviceId = 'sensor-th-0055', [string[]] $DeviceIds)
    $check = 'Test-Lab15FanStateMethod'
    Invoke-LabCheck -Check $check -Body {
        $result = Invoke-DeviceMethod -DeviceId $DeviceId -Name SetFanState -Payload '"On"' -ResponseTimeout 30 -Confirm:$false `
            -ErrorAction SilentlyContinue -ErrorVariable methodErrors
        if (-not $result) {
            $errorId = if ($methodErrors.Count -gt 0) { $methodErrors[0].FullyQualifiedErrorId } else { '' }
            if ($errorId -like '*NotFound*') {
                return New-LabCheckResult $check $false (Get-LabMissingDeviceMessage $DeviceId 15)
            }
            if ($errorId -like '*NotOnline*' -or $errorId -like '*Timeout*') {
                return New-LabCheckResult $check $false ("The device did not answer SetFanState (the operator app prints 'Direct method failed: timed-out'). " +
                    "Start the device app first, then the operator: a method can only be invoked while the device app runs and has registered it.")
            }
            if ($methodErrors.Count -gt 0) { throw $methodErrors[0] }
            return New-LabCheckResult $check $false 'Invoking SetFanState returned nothing.'
        }
        $answer = if ($result.Payload -and $result.Payload.result) { $result.Payload.result } else { $result.PayloadJson }
        if ($result.Status -eq 200 -and $answer -eq 'Executed direct method: SetFanState') {
            return New-LabCheckResult $check $true "The device answered SetFanState ""On"": 200 $($result.PayloadJson)."
        }
        if ($result.Status -eq 400 -and $answer -eq 'Fan failed') {
            return New-LabCheckResult $check $true ("The device answered SetFanState: 400 $($result.PayloadJson). The method works; the simulated fan has " +
                "failed (it does in about half of the runs). Restart the device app to get a working fan.")
        }
        if ($result.Status -eq 400 -and $answer -eq 'Invalid parameter') {
            return New-LabCheckResult $check $false ("The device refused SetFanState ""On"" with 400 Invalid parameter. The fan states are case-sensitive " +
                "(On, Off): check that SetFanState parses the payload with Enum.Parse after removing the quotes.")
        }
        if ($result.Status -eq 501 -or $result.Status -eq 404) {
            return New-LabCheckResult $check $false ("The device has no direct method SetFanState (status $($result.Status)). Register it in the device app: " +
                "deviceClient.SetMethodHandlerAsync(""SetFanState"", SetFanState, null).")
        }
        New-LabCheckResult $check $false ("The device answered SetFanState with status $($result.Status) $($result.PayloadJson); the lab expects " +
            '200 {"result":"Executed direct method: SetFanState"}.')
    }
}

function Test-Lab15TwinTags {
    # The operator app's twin patch set the tags customerID and cheeseCave.
    [CmdletBinding()]
    param([string] $DeviceId = 'sensor-th-0055', [string[]] $DeviceIds)
    $check = 'Test-Lab15TwinTags'
    Invoke-LabCheck -Check $check -Body {
        $twin = Get-LabTwin -DeviceId $DeviceId
        if (-not $twin) { return New-LabCheckResult $check $false (Get-LabMissingDeviceMessage $DeviceId 15) }
        $expected = [ordered]@{ customerID = 'Customer1'; cheeseCave = 'CheeseCave1' }
        $wrong = foreach ($name in $expected.Keys) {
            $actual = $twin.Tags.$name
            if ("$actual" -cne $expected[$name]) { "$name is $(Format-LabValue $actual) (expected '$($expected[$name])')" }
        }
        if ($wrong) {
            return New-LabCheckResult $check $false ("The twin of '$DeviceId' does not have the lab's tags: $($wrong -join '; '). Run the operator app " +
                "with the twin code of Exercise 5 (SetTwinProperties): it patches tags customerID = 'Customer1' and cheeseCave = 'CheeseCave1'.")
        }
        New-LabCheckResult $check $true "The twin of '$DeviceId' has the tags customerID = 'Customer1' and cheeseCave = 'CheeseCave1'."
    }
}

function Test-Lab15DesiredProperties {
    # The operator app's twin patch set the desired properties patchId, temperature and humidity (as strings, as the lab writes them).
    [CmdletBinding()]
    param([string] $DeviceId = 'sensor-th-0055', [string[]] $DeviceIds)
    $check = 'Test-Lab15DesiredProperties'
    Invoke-LabCheck -Check $check -Body {
        $twin = Get-LabTwin -DeviceId $DeviceId
        if (-not $twin) { return New-LabCheckResult $check $false (Get-LabMissingDeviceMessage $DeviceId 15) }
        $expected = [ordered]@{ patchId = 'set values'; temperature = '50'; humidity = '85' }
        $wrong = foreach ($name in $expected.Keys) {
            $actual = $twin.Desired.$name
            if ("$actual" -cne $expected[$name]) { "$name is $(Format-LabValue $actual) (expected '$($expected[$name])')" }
        }
        if ($wrong) {
            return New-LabCheckResult $check $false ("The twin of '$DeviceId' does not have the lab's desired properties: $($wrong -join '; '). Run the " +
                "operator app with the twin code of Exercise 5: it patches desired patchId = 'set values', temperature = '50' and humidity = '85'.")
        }
        New-LabCheckResult $check $true ("The twin of '$DeviceId' has the desired properties patchId = 'set values', temperature = '50', humidity = '85' " +
            "(desired `$version $($twin.Desired.'$version')).")
    }
}

function Test-Lab15ReportedProperties {
    # The device app applied the desired values and reported fanstate, humidity and temperature (numbers).
    [CmdletBinding()]
    param([string] $DeviceId = 'sensor-th-0055', [string[]] $DeviceIds)
    $check = 'Test-Lab15ReportedProperties'
    Invoke-LabCheck -Check $check -Body {
        $twin = Get-LabTwin -DeviceId $DeviceId
        if (-not $twin) { return New-LabCheckResult $check $false (Get-LabMissingDeviceMessage $DeviceId 15) }
        $reported = $twin.Reported
        $wrong = @(
            if ("$($reported.fanstate)" -cnotin 'On', 'Off', 'Failed') { "fanstate is $(Format-LabValue $reported.fanstate) (expected On, Off or Failed)" }
            if (-not ($reported.humidity -is [ValueType] -and [double] $reported.humidity -eq 85)) { "humidity is $(Format-LabValue $reported.humidity) (expected 85)" }
            if (-not ($reported.temperature -is [ValueType] -and [double] $reported.temperature -eq 50)) { "temperature is $(Format-LabValue $reported.temperature) (expected 50)" }
        )
        if ($wrong) {
            return New-LabCheckResult $check $false ("The device has not reported what the lab expects: $($wrong -join '; '). The device app reports " +
                "fanstate, humidity and temperature when desired properties change: start the device app first, then the operator app " +
                "(with the twin code of Exercise 5), and look for 'Twin state reported:' in the device's output.")
        }
        New-LabCheckResult $check $true "The device reported fanstate = '$($reported.fanstate)', humidity = $($reported.humidity), temperature = $($reported.temperature)."
    }
}

function Test-Lab15CheeseCaveQuery {
    # The operator's query finds the device by its cheeseCave tag.
    [CmdletBinding()]
    param([string] $DeviceId = 'sensor-th-0055', [string[]] $DeviceIds)
    $check = 'Test-Lab15CheeseCaveQuery'
    Invoke-LabCheck -Check $check -Body {
        $found = @(Invoke-IotQuery -Query "SELECT * FROM devices WHERE tags.cheeseCave = 'CheeseCave1'" -ErrorAction Stop | ForEach-Object DeviceId)
        if ($found -notcontains $DeviceId) {
            $foundText = if ($found) { $found -join ', ' } else { 'no device' }
            return New-LabCheckResult $check $false ("The query SELECT * FROM devices WHERE tags.cheeseCave = 'CheeseCave1' finds $foundText, not '$DeviceId'. " +
                "Set the device's tags with the operator app (Exercise 5), then run the query again.")
        }
        New-LabCheckResult $check $true "Devices in CheeseCave1: $($found -join ', ')"
    }
}

function Test-Lab15TwinSynchronized {
    # Exercise 5's checkpoint: the operator set tags and desired properties, the device reported back, the query finds it.
    [CmdletBinding()]
    param([string] $DeviceId = 'sensor-th-0055', [string[]] $DeviceIds)
    Join-LabCheckResult -Check 'Test-Lab15TwinSynchronized' -Results @(
        Test-Lab15TwinTags -DeviceId $DeviceId
        Test-Lab15DesiredProperties -DeviceId $DeviceId
        Test-Lab15ReportedProperties -DeviceId $DeviceId
        Test-Lab15CheeseCaveQuery -DeviceId $DeviceId
    )
}

function Test-Lab15Complete {
    # The lab's last checkpoint: every rule of the grader, while the apps still run (SetFanState needs the device app).
    [CmdletBinding()]
    param([string] $DeviceId = 'sensor-th-0055', [string[]] $DeviceIds, [string] $EventHubConnectionString)
    Join-LabCheckResult -Check 'Test-Lab15Complete' -Score -Results @(
        Test-Lab15DeviceExists -DeviceId $DeviceId
        Test-Lab15TelemetryArrived -DeviceId $DeviceId -EventHubConnectionString $EventHubConnectionString
        Test-Lab15FanStateMethod -DeviceId $DeviceId
        Test-Lab15TwinTags -DeviceId $DeviceId
        Test-Lab15DesiredProperties -DeviceId $DeviceId
        Test-Lab15ReportedProperties -DeviceId $DeviceId
        Test-Lab15CheeseCaveQuery -DeviceId $DeviceId
    )
}
