BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-IotLabKitForTest
    Start-TestEmulator | Out-Null

    function New-TestConfigurationId([string] $Prefix = 'cfg') { "$Prefix-$([guid]::NewGuid().ToString('N').Substring(0, 10))" }

    # A configuration that targets nothing: for the tests that are about the configuration itself, not its effect.
    function New-IdleConfiguration([string] $Id) {
        New-AutoConfiguration -Id $Id -TargetCondition "deviceId = 'nobody'" -DesiredProperties @{ idle = $true }
    }

    $script:Lab16Content = @{ 'properties.desired.firmware' = @{ fwVersion = '1.0.1'; fwPackageURI = 'https://MyPackage.uri'; fwPackageCheckValue = '1234' } }
    $script:Lab16Metric = @{ fwupdated = "SELECT deviceId FROM devices WHERE properties.reported.firmware.currentFwVersion='1.0.1'" }
}

AfterAll {
    Stop-TestEmulator
}

Describe 'New-AutoConfiguration' {
    It 'creates Lab 16''s configuration from twin-path keys and shows it in the hub''s shape' {
        $id = New-TestConfigurationId 'fw'
        $cfg = New-AutoConfiguration -Id $id -TargetCondition "deviceId='sensor-th-0155'" -Priority 10 -DesiredProperties $script:Lab16Content -Metric $script:Lab16Metric -Label @{ lab = '16' }

        $cfg.PSTypeNames | Should -Contain 'IotLabKit.AutoConfiguration'
        $cfg.Id | Should -Be $id
        $cfg.Priority | Should -Be 10
        $cfg.TargetCondition | Should -Be "deviceId='sensor-th-0155'"
        $cfg.Content.'properties.desired.firmware'.fwVersion | Should -Be '1.0.1'
        $cfg.Content.'properties.desired.firmware'.fwPackageCheckValue | Should -Be '1234'
        $cfg.MetricQueries.fwupdated | Should -Be $script:Lab16Metric.fwupdated
        $cfg.Metrics.fwupdated | Should -Be 0
        $cfg.SystemMetricQueries.appliedCount | Should -Be "select deviceId from devices where configurations.[[$id]].status = 'Applied'"
        $cfg.Labels.lab | Should -Be '16'
        $cfg.ETag | Should -Not -BeNullOrEmpty
        $cfg.CreatedTime | Should -BeOfType [datetime]
    }

    It 'reads nested desired properties, dotted keys and JSON as content under properties.desired' {
        $nested = New-AutoConfiguration (New-TestConfigurationId) "deviceId = 'nobody'" @{ firmware = @{ fwVersion = '2.0' }; 'telemetry.interval' = 30 }
        $nested.Content.'properties.desired.firmware'.fwVersion | Should -Be '2.0'
        $nested.Content.'properties.desired.telemetry'.interval | Should -Be 30

        $json = New-AutoConfiguration (New-TestConfigurationId) "deviceId = 'nobody'" '{"properties":{"desired":{"mode":"eco"}},"level":2}'
        $json.Content.'properties.desired.mode' | Should -Be 'eco'
        $json.Content.'properties.desired.level' | Should -Be 2
    }

    It 'refuses content outside properties.desired before calling the hub' {
        $id = New-TestConfigurationId
        New-AutoConfiguration $id '*' @{ 'properties.reported.x' = 1 } -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NewAutoConfigurationInvalidArgument*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -Match 'only desired properties'
        Get-AutoConfiguration "$id*" | Should -BeNullOrEmpty
    }

    It 'passes on the hub''s refusals with stable ids: <Reason>' -ForEach @(
        @{ Reason = 'uppercase id'; Id = 'FirmwareUpdate'; Target = '*'; ErrorId = 'NewAutoConfigurationInvalidArgument'; Text = 'lowercase' }
        @{ Reason = 'bad target'; Id = 'cfg-badtarget'; Target = "tags.env = "; ErrorId = 'NewAutoConfigurationInvalidArgument'; Text = 'Query syntax error' }
        @{ Reason = 'module target'; Id = 'cfg-module'; Target = "FROM devices.modules WHERE moduleId = 'm'"; ErrorId = 'NewAutoConfigurationInvalidArgument'; Text = 'not supported by the emulator yet' }
    ) {
        New-AutoConfiguration -Id $Id -TargetCondition $Target -DesiredProperties @{ x = 1 } -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId*"
        $err[0].Exception.Message | Should -Match $Text
    }

    It 'refuses a second configuration with the same id' {
        $id = New-TestConfigurationId
        New-IdleConfiguration $id | Out-Null
        New-AutoConfiguration $id '*' @{ other = 1 } -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NewAutoConfigurationAlreadyExists*'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
    }

    It 'creates nothing with -WhatIf' {
        $id = New-TestConfigurationId
        New-AutoConfiguration $id '*' @{ x = 1 } -WhatIf | Should -BeNullOrEmpty
        Get-AutoConfiguration $id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'Get-AutoConfiguration' {
    BeforeAll {
        $script:prefix = New-TestConfigurationId 'get'
        New-IdleConfiguration "$script:prefix-a" | Out-Null
        New-IdleConfiguration "$script:prefix-b" | Out-Null
    }

    It 'gets one by id, several by wildcard and ids from the pipeline' {
        (Get-AutoConfiguration "$script:prefix-a").Id | Should -Be "$script:prefix-a"
        (Get-AutoConfiguration "$script:prefix-*").Id | Should -Be @("$script:prefix-a", "$script:prefix-b")
        ("$script:prefix-b", "$script:prefix-a" | Get-AutoConfiguration).Id | Should -Be @("$script:prefix-b", "$script:prefix-a")
        (Get-AutoConfiguration).Id | Should -Contain "$script:prefix-b"
    }

    It 'says which configuration does not exist' {
        Get-AutoConfiguration 'no-such-configuration' -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'GetAutoConfigurationNotFound*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be 'no-such-configuration'
    }

    It 'tab-completes configuration ids' {
        $line = "Get-AutoConfiguration $script:prefix-"
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $completions | Should -Contain "$script:prefix-a"
        $completions | Should -Contain "$script:prefix-b"
    }
}

Describe 'Set-AutoConfiguration' {
    It 'changes priority, target, metrics and labels, merging metrics and labels' {
        $id = New-TestConfigurationId
        New-AutoConfiguration $id "deviceId = 'nobody'" @{ x = 1 } -Metric @{ keep = 'SELECT deviceId FROM devices'; drop = 'SELECT deviceId FROM devices' } -Label @{ a = '1' } | Out-Null

        $cfg = Set-AutoConfiguration $id -Priority 7 -TargetCondition "tags.ring = 'two'" -Metric @{ drop = $null; new = "SELECT deviceId FROM devices WHERE tags.ring = 'two'" } -Label @{ b = '2' }

        $cfg.Priority | Should -Be 7
        $cfg.TargetCondition | Should -Be "tags.ring = 'two'"
        $cfg.MetricQueries.PSObject.Properties.Name | Sort-Object | Should -Be @('keep', 'new')
        $cfg.Labels.a | Should -Be '1'
        $cfg.Labels.b | Should -Be '2'
        (Get-AutoConfiguration $id).Priority | Should -Be 7
    }

    It 'refuses a stale ETag and overwrites with -Force' {
        $id = New-TestConfigurationId
        $stale = New-IdleConfiguration $id
        Set-AutoConfiguration $id -Priority 1 | Out-Null

        $stale | Set-AutoConfiguration -Priority 2 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'SetAutoConfigurationPreconditionFailed*'
        (Get-AutoConfiguration $id).Priority | Should -Be 1

        (Set-AutoConfiguration $id -Priority 3 -ETag $stale.ETag -Force).Priority | Should -Be 3
    }

    It 'says when there is nothing to change' {
        $id = New-TestConfigurationId
        New-IdleConfiguration $id | Out-Null
        Set-AutoConfiguration $id -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'SetAutoConfigurationNothingToChange*'
    }
}

Describe 'Remove-AutoConfiguration' {
    It 'deletes the configuration and leaves the values it wrote in the twin' {
        $device = New-TestDeviceId 'rm'
        New-IotDevice $device | Out-Null
        $id = New-TestConfigurationId
        New-AutoConfiguration $id "deviceId = '$device'" @{ kept = 'yes' } | Out-Null
        Invoke-AutoConfigurationEvaluation | Out-Null
        (Get-Twin $device).Desired.kept | Should -Be 'yes'

        Remove-AutoConfiguration $id -Force
        Invoke-AutoConfigurationEvaluation | Out-Null

        Get-AutoConfiguration $id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        (Get-Twin $device).Desired.kept | Should -Be 'yes'
    }

    It 'does nothing with -WhatIf and says which configuration does not exist' {
        $id = New-TestConfigurationId
        New-IdleConfiguration $id | Out-Null
        Remove-AutoConfiguration $id -WhatIf
        (Get-AutoConfiguration $id).Id | Should -Be $id

        Remove-AutoConfiguration 'no-such-configuration' -Force -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RemoveAutoConfigurationNotFound*'
    }
}

Describe 'Invoke-AutoConfigurationEvaluation and Get-AutoConfigurationMetric' {
    It 'applies content at once and shows the devices behind each metric' {
        $cohort = "c$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $a = New-TestDeviceId 'met'
        $b = New-TestDeviceId 'met'
        foreach ($d in $a, $b) { New-IotDevice $d | Out-Null; Set-TwinTags $d @{ cohort = $cohort } | Out-Null }
        $id = New-TestConfigurationId 'met'
        New-AutoConfiguration $id "tags.cohort = '$cohort'" @{ firmware = @{ fwVersion = '1.0.1' } } -Metric @{ onlyA = "SELECT deviceId FROM devices WHERE deviceId = '$a'" } | Out-Null

        $evaluation = Invoke-AutoConfigurationEvaluation
        $evaluation.PSTypeNames | Should -Contain 'IotLabKit.ConfigurationEvaluation'
        $evaluation.TwinCount | Should -BeGreaterOrEqual 2

        $cfg = Get-AutoConfiguration $id
        $cfg.TargetedCount | Should -Be 2
        $cfg.AppliedCount | Should -Be 2
        $cfg.Metrics.onlyA | Should -Be 1
        (Get-Twin $a).Desired.firmware.fwVersion | Should -Be '1.0.1'

        $metrics = Get-AutoConfigurationMetric $id
        $metrics.Metric | Should -Be @('targetedCount', 'appliedCount', 'onlyA')
        ($metrics | Where-Object Metric -eq 'appliedCount').DeviceIds | Sort-Object | Should -Be (@($a, $b) | Sort-Object)
        $onlyA = Get-AutoConfigurationMetric $id onlyA
        $onlyA.Type | Should -Be 'Custom'
        $onlyA.Count | Should -Be 1
        $onlyA.DeviceIds | Should -Be @($a)

        ($cfg | Out-String) | Should -Match 'onlyA=1'
    }

    It 'names a metric the configuration does not have, and completes the ones it has' {
        $id = New-TestConfigurationId
        New-AutoConfiguration $id "deviceId = 'nobody'" @{ x = 1 } -Metric $script:Lab16Metric | Out-Null
        Get-AutoConfigurationMetric $id nosuch -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'GetAutoConfigurationMetricMetricNotFound*'
        $err[0].Exception.Message | Should -Match 'targetedCount, appliedCount, fwupdated'

        $line = "Get-AutoConfigurationMetric -Id $id -Metric "
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('targetedCount', 'appliedCount', 'fwupdated')
    }

    It 'refuses to run against a hub that is not the emulator' {
        $cs = (Get-IotHubEmulator -AsPlainText).ServiceConnectionString -replace ';?UseDevelopmentEmulator=true', ''
        { Invoke-AutoConfigurationEvaluation -ConnectionString $cs -ErrorAction Stop } | Should -Throw -ErrorId 'InvokeAutoConfigurationEvaluationNotEmulator*'
    }
}

Describe 'Lab 16: automate device management with a firmware-update configuration' {
    BeforeAll {
        # Waits for a condition the emulator and the simulated device reach by themselves, checking every 100 ms.
        function Wait-Until([scriptblock] $Condition, [string] $What, [int] $TimeoutSeconds = 60) {
            $deadline = (Get-Date).AddSeconds($TimeoutSeconds)
            while (-not (& $Condition)) {
                if ((Get-Date) -gt $deadline) { throw "Timed out after $TimeoutSeconds s waiting for $What." }
                Start-Sleep -Milliseconds 100
            }
        }
    }

    AfterAll {
        Stop-SimulatedDevice -DeviceId sensor-th-0155 -ErrorAction SilentlyContinue
    }

    It 'takes sensor-th-0155 through every firmware status to 1.0.1 and counts Targeted 1, Applied 1, fwupdated 1' {
        # Exercise 3, task 1: the simulated device, started first, boots with firmware 1.0.0 (course timings / 100).
        Start-SimulatedDevice sensor-th-0155 -Create -Behavior FirmwareUpdate -TimeScale 0.01 | Out-Null
        Wait-Until { (Get-Twin sensor-th-0155).Reported.firmware.fwUpdateStatus -eq 'current' } 'the device to boot'
        (Get-Twin sensor-th-0155).Reported.firmware.currentFwVersion | Should -Be '1.0.0'

        # Exercise 3, task 2: the configuration from the portal wizard.
        $cfg = New-AutoConfiguration -Id firmwareupdate -TargetCondition "deviceId='sensor-th-0155'" -Priority 10 `
            -DesiredProperties $script:Lab16Content -Metric $script:Lab16Metric
        $cfg.Id | Should -Be 'firmwareupdate'

        # The hub applies it shortly after creation; the device updates itself.
        Wait-Until { (Get-SimulatedDevice sensor-th-0155).FirmwareVersion -eq '1.0.1' -and (Get-Twin sensor-th-0155).Reported.firmware.currentFwVersion -eq '1.0.1' } 'firmware 1.0.1'
        $log = (Get-SimulatedDevice sensor-th-0155).Log.Text
        $steps = @(
            'A firmware update was requested from version 1.0.0 to version 1.0.1'
            'Downloading new firmware package from https://MyPackage.uri'
            'The new firmware package has been successfully downloaded.'
            'Verifying firmware package with checksum 1234'
            'The new firmware binary package has been successfully verified'
            'Applying new firmware'
            'Rebooting'
            'Device booted'
            'Current firmware version: 1.0.1'
        )
        # Each step is looked for after the one before it, so the order is checked too.
        $at = -1
        foreach ($step in $steps) {
            $at = [array]::IndexOf([string[]]$log, $step, $at + 1)
            $at | Should -BeGreaterOrEqual 0 -Because "'$step' follows the earlier steps in the device log: $($log -join ' | ')"
        }

        # The next evaluation counts the device's report: the portal's numbers.
        Invoke-AutoConfigurationEvaluation | Out-Null
        $counted = Get-AutoConfiguration firmwareupdate
        $counted.TargetedCount | Should -Be 1
        $counted.AppliedCount | Should -Be 1
        $counted.Metrics.fwupdated | Should -Be 1
        (Get-AutoConfigurationMetric firmwareupdate fwupdated).DeviceIds | Should -Be @('sensor-th-0155')

        # The twin: the configuration's content, the device's report, and the configuration Applied.
        $twin = Get-Twin sensor-th-0155
        $twin.Desired.firmware.fwVersion | Should -Be '1.0.1'
        $twin.Reported.firmware.fwUpdateStatus | Should -Be 'current'
        $twin.Configurations.firmwareupdate | Should -Be 'Applied'
        ($twin | Format-List | Out-String) | Should -Match 'firmwareupdate: Applied'
    }
}

# Last in the file: it restarts the session's emulator with another evaluation interval.
Describe 'Start-IotHubEmulator -ConfigurationEvaluationInterval' {
    It 'refuses an interval outside 1 second to 24 hours' {
        { Start-IotHubEmulator -InMemory -Port 0 -ConfigurationEvaluationInterval 0.5 -Force -ErrorAction Stop } |
            Should -Throw -ErrorId 'StartIotHubEmulatorInvalidEvaluationInterval*'
    }

    It 'picks up a twin change on the emulator''s schedule, without Invoke-AutoConfigurationEvaluation' {
        $dataPath = Join-Path ([IO.Path]::GetTempPath()) "iotlabkit-pester-$PID"
        Start-IotHubEmulator -InMemory -Port 0 -DataPath $dataPath -ConfigurationEvaluationInterval 1 -Force | Out-Null
        $early = New-TestDeviceId 'early'
        $device = New-TestDeviceId 'sched'
        $early, $device | New-IotDevice | Out-Null
        Set-TwinTags $early @{ ring = 'late' } | Out-Null
        New-AutoConfiguration (New-TestConfigurationId) "tags.ring = 'late'" @{ ring = 'joined' } | Out-Null
        $deadline = (Get-Date).AddSeconds(30)
        while ((Get-Twin $early).Desired.ring -ne 'joined') {
            if ((Get-Date) -gt $deadline) { throw 'The evaluation after the create did not write the content within 30 s.' }
            Start-Sleep -Milliseconds 100
        }
        # Tagged after that evaluation: only a scheduled one can pick it up.
        Set-TwinTags $device @{ ring = 'late' } | Out-Null

        while ((Get-Twin $device).Desired.ring -ne 'joined') {
            if ((Get-Date) -gt $deadline) { throw 'The scheduled evaluation did not write the content within 30 s.' }
            Start-Sleep -Milliseconds 100
        }
        (Get-Twin $device).Configurations.PSObject.Properties.Value | Should -Be 'Applied'
    }
}
