# Lab 16's check functions: each rule the student's hub must satisfy, in one place. The lab runner's checkpoints and
# the grader (Lab16.Tests.ps1) call them; the contract is labs/README.md. They use the session's hub connection.

. (Join-Path $PSScriptRoot '..' 'common' 'LabCheckHelpers.ps1')

function Get-Lab16ExpectedConfiguration {
    # The configuration of Exercise 3 as the course's portal wizard creates it.
    @{
        Id              = 'firmwareupdate'
        TargetCondition = "deviceId='sensor-th-0155'"
        Priority        = 10
        Firmware        = [ordered]@{ fwVersion = '1.0.1'; fwPackageURI = 'https://MyPackage.uri'; fwPackageCheckValue = '1234' }
        MetricName      = 'fwupdated'
        MetricQuery     = "SELECT deviceId FROM devices WHERE properties.reported.firmware.currentFwVersion='1.0.1'"
    }
}

function ConvertTo-Lab16Comparable([string] $Text) {
    # Queries and conditions compare without regard to spacing, keyword case or quote style.
    ($Text -replace '\s+', '' -replace '"', "'").ToLowerInvariant()
}

function Get-Lab16Configuration([string] $Id) {
    $configuration = Get-AutoConfiguration -Id $Id -ErrorAction SilentlyContinue -ErrorVariable configurationErrors
    if ($configuration) { return $configuration }
    if ($configurationErrors.Count -gt 0 -and $configurationErrors[0].CategoryInfo.Category -ne 'ObjectNotFound') { throw $configurationErrors[0] }
    $null
}

function Invoke-Lab16EvaluationIfPossible {
    # Emulator only: evaluate the configurations now rather than at the next scheduled evaluation. A real hub has no
    # such switch (it evaluates about every 5 minutes), so a refusal is ignored.
    Invoke-AutoConfigurationEvaluation -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Out-Null
}

function Test-Lab16DeviceExists {
    [CmdletBinding()]
    param([string] $DeviceId = 'sensor-th-0155', [string[]] $DeviceIds)
    Test-LabDeviceExists -Check 'Test-Lab16DeviceExists' -DeviceId $DeviceId -Lab 16
}

function Test-Lab16DeviceBooted {
    # The firmware update device app is running: it reported its firmware block at boot.
    [CmdletBinding()]
    param([string] $DeviceId = 'sensor-th-0155', [string[]] $DeviceIds)
    $check = 'Test-Lab16DeviceBooted'
    Invoke-LabCheck -Check $check -Body {
        $twin = Get-LabTwin -DeviceId $DeviceId
        if (-not $twin) { return New-LabCheckResult $check $false (Get-LabMissingDeviceMessage $DeviceId 16) }
        $firmware = $twin.Reported.firmware
        if (-not $firmware -or -not $firmware.currentFwVersion) {
            return New-LabCheckResult $check $false ("The device has not reported its firmware yet. Start the device app with its connection string " +
                "in quotes (FwUpdateDevice.csx ""<device connection string>"") and look for '$DeviceId`: Device booted'.")
        }
        New-LabCheckResult $check $true "The device booted and reports firmware $($firmware.currentFwVersion) (fwUpdateStatus '$($firmware.fwUpdateStatus)')."
    }
}

function Test-Lab16ConfigurationExists {
    # The configuration firmwareupdate exists as the course creates it: target, priority, content and metric.
    [CmdletBinding()]
    param([string] $DeviceId = 'sensor-th-0155', [string[]] $DeviceIds)
    $check = 'Test-Lab16ConfigurationExists'
    $expected = Get-Lab16ExpectedConfiguration
    Invoke-LabCheck -Check $check -Body {
        $configuration = Get-Lab16Configuration $expected.Id
        if (-not $configuration) {
            return New-LabCheckResult $check $false ("The hub has no configuration '$($expected.Id)'. Create it (the portal's Device Twin Configuration): " +
                "New-AutoConfiguration -Id firmwareupdate -TargetCondition ""deviceId='sensor-th-0155'"" -Priority 10 " +
                "-DesiredProperties @{ 'properties.desired.firmware' = [ordered]@{ fwVersion = '1.0.1'; fwPackageURI = 'https://MyPackage.uri'; fwPackageCheckValue = '1234' } } " +
                "-Metric @{ fwupdated = ""$($expected.MetricQuery)"" }. Put the name in -Id (the portal's Name field, not a label).")
        }
        $changeable = @(
            if ((ConvertTo-Lab16Comparable $configuration.TargetCondition) -ne (ConvertTo-Lab16Comparable $expected.TargetCondition)) {
                "its target condition is ""$($configuration.TargetCondition)"" (expected ""$($expected.TargetCondition)"" - the device is sensor-th-0155)"
            }
            if ($configuration.Priority -ne $expected.Priority) { "its priority is $($configuration.Priority) (expected $($expected.Priority))" }
            $query = $configuration.MetricQueries.($expected.MetricName)
            if (-not $query) { "it has no custom metric '$($expected.MetricName)'" }
            elseif ((ConvertTo-Lab16Comparable $query) -ne (ConvertTo-Lab16Comparable $expected.MetricQuery)) {
                "its metric '$($expected.MetricName)' is ""$query"" (expected ""$($expected.MetricQuery)"")"
            }
        )
        $firmware = $configuration.Content.'properties.desired.firmware'
        $content = @(
            if (-not $firmware) { "it does not write properties.desired.firmware" }
            else {
                foreach ($name in $expected.Firmware.Keys) {
                    if ("$($firmware.$name)" -cne $expected.Firmware[$name]) { "its content's $name is $(Format-LabValue $firmware.$name) (expected '$($expected.Firmware[$name])')" }
                }
            }
        )
        if ($content) {
            return New-LabCheckResult $check $false ("The configuration '$($expected.Id)' is not the lab's: $(($content + $changeable) -join '; '). A configuration's " +
                "content cannot be changed: remove it (Remove-AutoConfiguration firmwareupdate) and create it again.")
        }
        if ($changeable) {
            return New-LabCheckResult $check $false ("The configuration '$($expected.Id)' is not the lab's: $($changeable -join '; '). Fix it with " +
                "Set-AutoConfiguration firmwareupdate (target condition, priority and metrics can be changed).")
        }
        New-LabCheckResult $check $true ("The configuration '$($expected.Id)' targets $($configuration.TargetCondition) with priority $($configuration.Priority), " +
            "writes properties.desired.firmware fwVersion '1.0.1', and counts the metric $($expected.MetricName).")
    }
}

function Test-Lab16FirmwareUpdated {
    # The device ran the firmware update: it reports currentFwVersion 1.0.1 and fwUpdateStatus current.
    [CmdletBinding()]
    param([string] $DeviceId = 'sensor-th-0155', [string[]] $DeviceIds)
    $check = 'Test-Lab16FirmwareUpdated'
    Invoke-LabCheck -Check $check -Body {
        $twin = Get-LabTwin -DeviceId $DeviceId
        if (-not $twin) { return New-LabCheckResult $check $false (Get-LabMissingDeviceMessage $DeviceId 16) }
        $firmware = $twin.Reported.firmware
        if ($firmware.currentFwVersion -eq '1.0.1' -and $firmware.fwUpdateStatus -eq 'current') {
            return New-LabCheckResult $check $true "The device reports firmware 1.0.1, fwUpdateStatus 'current': the update is done."
        }
        if (-not $firmware) {
            return New-LabCheckResult $check $false ("The device has never reported its firmware: start the device app (FwUpdateDevice.csx with the device " +
                "connection string in quotes), then create the configuration.")
        }
        if ($firmware.fwUpdateStatus -and $firmware.fwUpdateStatus -ne 'current') {
            $substatus = if ($firmware.fwUpdateSubstatus) { " ($($firmware.fwUpdateSubstatus))" } else { '' }
            return New-LabCheckResult $check $false ("The firmware update is under way: fwUpdateStatus '$($firmware.fwUpdateStatus)'$substatus, pending version " +
                "'$($firmware.pendingFwVersion)'. It takes about 23 seconds; keep the device app running.")
        }
        $desired = $twin.Desired.firmware
        if (-not $desired) {
            return New-LabCheckResult $check $false ("The device still reports firmware $(Format-LabValue $firmware.currentFwVersion) and its twin has no desired firmware " +
                "yet: the hub has not applied the configuration firmwareupdate to it. A real hub applies configurations shortly after they are created " +
                "and then every 5 minutes (the lab's emulator every few seconds); check that the configuration exists and targets deviceId='$DeviceId'.")
        }
        New-LabCheckResult $check $false ("The device still reports firmware $(Format-LabValue $firmware.currentFwVersion), although its twin asks for " +
            "$(Format-LabValue $desired.fwVersion). The device only reacts to desired changes that arrive while it runs: start the device app BEFORE " +
            "creating the configuration. To run the update again, remove the configuration (Remove-AutoConfiguration firmwareupdate) and create it " +
            "again with the device app running.")
    }
}

function Test-Lab16ConfigurationApplied {
    # The twin lists the configuration firmwareupdate as Applied.
    [CmdletBinding()]
    param([string] $DeviceId = 'sensor-th-0155', [string[]] $DeviceIds, [switch] $EvaluateNow)
    $check = 'Test-Lab16ConfigurationApplied'
    Invoke-LabCheck -Check $check -Body {
        if ($EvaluateNow) { Invoke-Lab16EvaluationIfPossible }
        $twin = Get-LabTwin -DeviceId $DeviceId
        if (-not $twin) { return New-LabCheckResult $check $false (Get-LabMissingDeviceMessage $DeviceId 16) }
        $status = $twin.Configurations.firmwareupdate
        if ($status -eq 'Applied') {
            return New-LabCheckResult $check $true "The twin of '$DeviceId' shows the configuration firmwareupdate as Applied."
        }
        $found = if ($status) { "as $status" } else { 'not at all' }
        New-LabCheckResult $check $false ("The twin of '$DeviceId' lists the configuration firmwareupdate $found (expected Applied). Check that the " +
            "configuration exists and targets deviceId='$DeviceId'; a real hub applies it within about 5 minutes.")
    }
}

function Test-Lab16MetricsCounted {
    # The configuration's metrics count the device: targeted 1, applied 1, fwupdated 1.
    [CmdletBinding()]
    param([string] $DeviceId = 'sensor-th-0155', [string[]] $DeviceIds, [switch] $EvaluateNow)
    $check = 'Test-Lab16MetricsCounted'
    Invoke-LabCheck -Check $check -Body {
        if ($EvaluateNow) { Invoke-Lab16EvaluationIfPossible }
        $configuration = Get-Lab16Configuration 'firmwareupdate'
        if (-not $configuration) { return New-LabCheckResult $check $false "The hub has no configuration 'firmwareupdate': create it first (Exercise 3, Task 2)." }
        $fwupdated = $configuration.Metrics.fwupdated
        $counts = "targeted $($configuration.TargetedCount), applied $($configuration.AppliedCount), fwupdated $(if ($null -ne $fwupdated) { $fwupdated } else { '(no such metric)' })"
        if ($configuration.TargetedCount -eq 1 -and $configuration.AppliedCount -eq 1 -and $fwupdated -eq 1) {
            return New-LabCheckResult $check $true "The configuration firmwareupdate counts $counts."
        }
        New-LabCheckResult $check $false ("The configuration firmwareupdate counts $counts (expected 1, 1 and 1). Metrics are counted when the hub " +
            "evaluates its configurations: a real hub every 5 minutes, so refresh later; if fwupdated stays 0, the device has not reported " +
            "currentFwVersion '1.0.1' (see the firmware check).")
    }
}

# The optional at-scale exercise (MS Learn's origin module): ten devices, two customers, two configurations in batches.

function Test-Lab16BatchUpdated([string] $Check, [string] $Customer, [string[]] $FleetIds) {
    Invoke-LabCheck -Check $Check -Body {
        $id = "firmwareupdate$($Customer.ToLowerInvariant())"
        $configuration = Get-Lab16Configuration $id
        if (-not $configuration) {
            return New-LabCheckResult $Check $false "The hub has no configuration '$id'. Create it with the target condition tags.customer.name='$Customer'."
        }
        $updated = @(Invoke-IotQuery -Query "SELECT deviceId FROM devices WHERE tags.customer.name = '$Customer' AND properties.reported.firmware.currentFwVersion = '1.0.1'" -ErrorAction Stop |
            ForEach-Object deviceId)
        $missing = @($FleetIds | Where-Object { $_ -notin $updated })
        if ($missing) {
            return New-LabCheckResult $Check $false ("$($updated.Count) of $($FleetIds.Count) of $Customer's devices report firmware 1.0.1; waiting for " +
                "$($missing -join ', '). Keep the simulated devices running (Get-SimulatedDevice shows their firmware status).")
        }
        New-LabCheckResult $Check $true "All $($FleetIds.Count) of $Customer's devices report firmware 1.0.1 ($($id): targeted $($configuration.TargetedCount))."
    }
}

function Test-Lab16LewisBatchUpdated {
    [CmdletBinding()]
    param([string] $DeviceId, [string[]] $DeviceIds)
    Test-Lab16BatchUpdated -Check 'Test-Lab16LewisBatchUpdated' -Customer Lewis -FleetIds (1..5 | ForEach-Object { "simulateddevice$_" })
}

function Test-Lab16SmithBatchUpdated {
    [CmdletBinding()]
    param([string] $DeviceId, [string[]] $DeviceIds)
    Test-Lab16BatchUpdated -Check 'Test-Lab16SmithBatchUpdated' -Customer Smith -FleetIds (6..10 | ForEach-Object { "simulateddevice$_" })
}
