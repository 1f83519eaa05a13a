# The real labs (labs/lab15-…, labs/lab16-…) run unattended by Start-IotLab against an emulator, then graded by
# Test-IotLab: what issue 8 asks to show. The runner's own behaviour is tested with the fixture lab in
# LabRunner.Tests.ps1; the graders' messages for incomplete hubs in LabGraders.Tests.ps1.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-IotLabKitForTest

    function Split-Records($Records) {
        [pscustomobject]@{
            Shown  = @($Records | Where-Object { $_ -is [System.Management.Automation.InformationRecord] } | ForEach-Object { "$_" })
            Result = $Records | Where-Object { $_ -isnot [System.Management.Automation.InformationRecord] }
        }
    }
}

AfterAll {
    Get-Job | Where-Object PSJobTypeName -eq 'IotLabScript' | Remove-Job -Force
    Stop-TestEmulator
}

Describe 'Lab 15 unattended' {
    BeforeAll {
        Stop-TestEmulator
        Start-TestEmulator | Out-Null
        $script:Lab15 = Split-Records @(Start-IotLab -Lab 15 -Auto -KeepRunning 6>&1)
    }

    AfterAll {
        Get-Job | Where-Object PSJobTypeName -eq 'IotLabScript' | Remove-Job -Force
    }

    It 'runs every task and every checkpoint passes' {
        $run = $script:Lab15.Result
        $run.Completed | Should -BeTrue
        $failed = @($run.Tasks | Where-Object { $_.Outcome -eq 'Failed' -or $_.Passed -eq $false })
        $failed | Should -BeNullOrEmpty -Because (($failed | ForEach-Object { "$($_.Step): $($_.Message)" }) -join '; ')
        $run.CheckpointsPassed | Should -BeGreaterOrEqual 5
    }

    It 'shows the course''s output: Configuration Data, the device''s and the operator''s lines' {
        $shown = $script:Lab15.Shown
        $shown | Should -Contain 'Configuration Data:'
        $shown | Should -Contain 'Device sensor-th-0055: created'
        ($shown | Where-Object { $_ -match 'Message sent$' }) | Should -Not -BeNullOrEmpty
        ($shown | Where-Object { $_ -match 'Telemetry received: \{"temperature":' }) | Should -Not -BeNullOrEmpty
        ($shown | Where-Object { $_ -match 'Direct method invoked: \{"result":"Executed direct method: SetFanState"\}' }) | Should -Not -BeNullOrEmpty
        ($shown | Where-Object { $_ -match 'Fan set to: On' }) | Should -Not -BeNullOrEmpty
        ($shown | Where-Object { $_ -match 'Devices in CheeseCave1: sensor-th-0055' }) | Should -Not -BeNullOrEmpty
    }

    It 'leaves the apps running as jobs with -KeepRunning, and the grader passes every check' {
        @(Get-Job | Where-Object PSJobTypeName -eq 'IotLabScript' | Where-Object State -eq 'Running').Name | Should -Contain 'CheeseCaveDevice.csx'
        $grade = Test-IotLab -Lab 15 6>$null
        $grade.Failed | Should -Be 0 -Because (($grade.Checks | Where-Object { -not $_.Passed } | ForEach-Object { "$($_.Name): $($_.Message)" }) -join '; ')
        $grade.Passed | Should -BeGreaterOrEqual 5
    }

    It 'fails the direct-method check with the course''s advice once the device app is stopped' {
        Get-Job | Where-Object PSJobTypeName -eq 'IotLabScript' | Stop-Job
        (Get-Job -Name CheeseCaveDevice.csx).State | Should -Be 'Stopped'
        $grade = Test-IotLab -Lab 15 6>$null
        $failed = @($grade.Checks | Where-Object { -not $_.Passed })
        $failed.Count | Should -Be 1
        $failed[0].Message | Should -Match 'Start the device app first'
    }
}

Describe 'Lab 16 unattended' {
    BeforeAll {
        Stop-TestEmulator
        # As the lab's setup asks (10 s), so the configuration is re-evaluated without waiting IoT Hub's 5 minutes.
        Start-IotHubEmulator -InMemory -Port 0 -DataPath (Join-Path ([IO.Path]::GetTempPath()) "iotlabkit-pester-$PID") -ConfigurationEvaluationInterval 10 -ErrorAction Stop
        $script:Lab16 = Split-Records @(Start-IotLab -Lab 16 -Auto 6>&1)
    }

    It 'runs every task and every checkpoint passes' {
        $run = $script:Lab16.Result
        $run.Completed | Should -BeTrue
        $failed = @($run.Tasks | Where-Object { $_.Outcome -eq 'Failed' -or $_.Passed -eq $false })
        $failed | Should -BeNullOrEmpty -Because (($failed | ForEach-Object { "$($_.Step): $($_.Message)" }) -join '; ')
        # The optional at-scale exercise is skipped without -IncludeOptional.
        ($run.Tasks | Where-Object Step -like '4.*').Outcome | Sort-Object -Unique | Should -Be 'Skipped'
    }

    It 'tells the student the emulator evaluates every 10 seconds where a real hub takes about 5 minutes' {
        $shown = $script:Lab16.Shown
        $shown | Should -Contain 'Automatic device configurations: this emulator evaluates them right after each change and then every 10 seconds.'
        ($shown | Where-Object { $_ -like 'A real IoT hub evaluates them about every 5 minutes*' }) | Should -Not -BeNullOrEmpty
    }

    It 'shows the firmware update in the course''s order and the grader passes' {
        $shown = $script:Lab16.Shown
        $order = 'sensor-th-0155: Current firmware version: 1.0.0', 'sensor-th-0155: A firmware update was requested from version 1.0.0 to version 1.0.1',
            'sensor-th-0155: Applying new firmware', 'sensor-th-0155: Rebooting', 'sensor-th-0155: Current firmware version: 1.0.1'
        $positions = foreach ($line in $order) { [array]::IndexOf(@($shown | ForEach-Object { $_ -replace '^\[\w+\] ', '' }), $line) }
        $positions | Should -Not -Contain -1 -Because ($shown -join "`n")
        ($positions | Sort-Object) | Should -Be $positions
        $grade = Test-IotLab -Lab 16 6>$null
        $grade.Failed | Should -Be 0 -Because (($grade.Checks | Where-Object { -not $_.Passed } | ForEach-Object { "$($_.Name): $($_.Message)" }) -join '; ')
        $grade.Passed | Should -BeGreaterOrEqual 5
    }
}
