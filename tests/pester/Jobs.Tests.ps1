BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-IotLabKitForTest
    Start-TestEmulator | Out-Null

    function New-TaggedDevices([string] $Site, [int] $Count) {
        1..$Count | ForEach-Object {
            $id = New-TestDeviceId 'jobdev'
            New-IotDevice $id | Out-Null
            Set-TwinTags $id @{ site = $Site } | Out-Null
            $id
        }
    }

    function New-TestJobId { "job-$([guid]::NewGuid().ToString('N').Substring(0, 10))" }

    # Later today, so a job stays Scheduled for the whole test.
    $script:Later = (Get-Date).AddHours(2)
}

AfterAll {
    Stop-TestEmulator
}

Describe 'New-IotJob' {
    It 'runs a twin update on the tagged devices only and -Wait returns the finished job' {
        $site = "site-$([guid]::NewGuid().ToString('N').Substring(0, 6))"
        $targets = @(New-TaggedDevices $site 3)
        $other = New-TestDeviceId 'jobother'
        New-IotDevice $other | Out-Null

        $job = New-IotJob -QueryCondition "tags.site = '$site'" -DesiredProperties @{ 'config.interval' = 5 } -Tags @{ updated = $true } -Wait -PollInterval 0.05
        $job.PSTypeNames | Should -Contain 'IotLabKit.Job'
        $job.Status | Should -Be 'Completed'
        $job.Type | Should -Be 'ScheduleUpdateTwin'
        $job.DeviceCount | Should -Be 3
        $job.SucceededCount | Should -Be 3
        $job.FailedCount | Should -Be 0
        $job.IsFinished | Should -BeTrue

        foreach ($id in $targets) {
            $twin = Get-Twin $id
            $twin.Desired.config.interval | Should -Be 5
            $twin.Desired.'$version' | Should -Be 2
            $twin.Tags.updated | Should -BeTrue
        }
        (Get-Twin $other).Desired.'$version' | Should -Be 1
    }

    It 'takes a whole twin patch as JSON' {
        $site = "site-$([guid]::NewGuid().ToString('N').Substring(0, 6))"
        $targets = @(New-TaggedDevices $site 1)
        $job = New-IotJob "tags.site = '$site'" -TwinPatch '{"properties":{"desired":{"fw":"2.1"}}}' -JobId (New-TestJobId) -Wait -PollInterval 0.05
        $job.SucceededCount | Should -Be 1
        (Get-Twin $targets[0]).Desired.fw | Should -Be '2.1'
        $job.UpdateTwin.properties.desired.fw | Should -Be '2.1'
    }

    It 'schedules a job for later and shows it Scheduled' {
        $id = New-TestJobId
        $job = New-IotJob -QueryCondition '*' -Tags @{ later = 1 } -JobId $id -StartTime $script:Later -MaxExecutionTime 600
        $job.Status | Should -Be 'Scheduled'
        $job.MaxExecutionTime | Should -Be ([timespan]::FromSeconds(600))
        $job.StartTime | Should -BeGreaterThan (Get-Date).AddHours(1)
        Stop-IotJob $id -Force
    }

    It 'schedules a method job with its timeouts' {
        $id = New-TestJobId
        $job = New-IotJob -QueryCondition "deviceId = 'nobody'" -MethodName reboot -Payload @{ delay = 1 } -ResponseTimeout 45 -JobId $id -Wait -PollInterval 0.05
        $job.Type | Should -Be 'ScheduleDeviceMethod'
        $job.MethodName | Should -Be 'reboot'
        $job.Status | Should -Be 'Completed'
        $job.DeviceCount | Should -Be 0
    }

    It 'creates nothing with -WhatIf' {
        $id = New-TestJobId
        New-IotJob -QueryCondition '*' -DesiredProperties @{ x = 1 } -JobId $id -WhatIf | Should -BeNullOrEmpty
        Get-IotJob $id -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'GetIotJobNotFound*'
    }

    It 'reports a duplicate job id as AlreadyExists' {
        $id = New-TestJobId
        New-IotJob '*' -Tags @{ a = 1 } -JobId $id -StartTime $script:Later | Out-Null
        New-IotJob '*' -Tags @{ a = 1 } -JobId $id -StartTime $script:Later -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NewIotJobAlreadyExists*'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $err[0].TargetObject | Should -Be $id
        Stop-IotJob $id -Force
    }

    It 'reports a bad query condition as InvalidArgument with the hub''s reason' {
        New-IotJob "tags.site = " -Tags @{ a = 1 } -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NewIotJobInvalidArgument*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].Exception.Message | Should -Match 'queryCondition'
    }

    It 'refuses a twin job that changes nothing before calling the hub' {
        New-IotJob '*' -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NewIotJobNothingToDo*'
    }

    It 'needs a query condition' {
        (Get-Command New-IotJob).Parameters['QueryCondition'].Attributes.Where({ $_ -is [Parameter] }).Mandatory | Should -Not -Contain $false
    }
}

Describe 'Get-IotJob, Wait-IotJob and Stop-IotJob' {
    It 'gets a job by id, by wildcard and by status' {
        $prefix = "find-$([guid]::NewGuid().ToString('N').Substring(0, 6))"
        New-IotJob '*' -Tags @{ a = 1 } -JobId "$prefix-1" -StartTime $script:Later | Out-Null
        New-IotJob '*' -Tags @{ a = 1 } -JobId "$prefix-2" -StartTime $script:Later | Out-Null

        (Get-IotJob "$prefix-1").JobId | Should -Be "$prefix-1"
        (Get-IotJob "$prefix-*").JobId | Should -Be @("$prefix-1", "$prefix-2")
        (Get-IotJob -Status Scheduled -Type ScheduleUpdateTwin).JobId | Should -Contain "$prefix-2"
        (Get-IotJob -Status Completed).JobId | Should -Not -Contain "$prefix-2"

        "$prefix-1", "$prefix-2" | Stop-IotJob -Force
        (Get-IotJob "$prefix-*").Status | Should -Be @('Cancelled', 'Cancelled')
    }

    It 'Stop-IotJob cancels a scheduled job and -WhatIf does not' {
        $id = New-TestJobId
        New-IotJob '*' -Tags @{ a = 1 } -JobId $id -StartTime $script:Later | Out-Null
        Stop-IotJob $id -WhatIf
        (Get-IotJob $id).Status | Should -Be 'Scheduled'
        $stopped = Stop-IotJob $id -Force -PassThru
        $stopped.Status | Should -Be 'Cancelled'
        $stopped.EndTime | Should -Not -BeNullOrEmpty
    }

    It 'Stop-IotJob warns about a job that already ended' {
        $id = New-TestJobId
        New-IotJob "deviceId = 'nobody'" -Tags @{ a = 1 } -JobId $id -Wait -PollInterval 0.05 | Out-Null
        Stop-IotJob $id -Force -WarningVariable warned -WarningAction SilentlyContinue
        $warned[0] | Should -Match 'already ended'
        (Get-IotJob $id).Status | Should -Be 'Completed'
    }

    It 'Wait-IotJob takes jobs from the pipeline and times out with a clear error' {
        $id = New-TestJobId
        $job = New-IotJob '*' -Tags @{ a = 1 } -JobId $id -StartTime $script:Later
        $job | Wait-IotJob -Timeout 0.2 -PollInterval 0.05 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'WaitIotJobTimeout*'
        $err[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        $err[0].Exception.Message | Should -Match 'Scheduled'
        Stop-IotJob $id -Force
    }

    It 'reports an unknown job as NotFound' {
        Wait-IotJob 'no-such-job' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'WaitIotJobNotFound*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Stop-IotJob 'no-such-job' -Force -ErrorVariable err2 -ErrorAction SilentlyContinue
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'StopIotJobNotFound*'
    }

    It 'formats jobs as a table with the device counts' {
        $id = New-TestJobId
        $text = New-IotJob "deviceId = 'nobody'" -Tags @{ a = 1 } -JobId $id -Wait -PollInterval 0.05 | Out-String
        $text | Should -Match 'Succeeded'
        $text | Should -Match $id
    }

    It 'completes job ids' {
        $id = New-TestJobId
        New-IotJob '*' -Tags @{ a = 1 } -JobId $id -StartTime $script:Later | Out-Null
        $line = "Stop-IotJob $($id.Substring(0, 8))"
        $completions = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $completions.CompletionMatches.CompletionText | Should -Contain $id
        Stop-IotJob $id -Force
    }
}

Describe 'Get-IotJobDeviceResult' {
    It 'lists each device''s result and filters by status' {
        $site = "site-$([guid]::NewGuid().ToString('N').Substring(0, 6))"
        $targets = @(New-TaggedDevices $site 2)
        $job = New-IotJob "tags.site = '$site'" -DesiredProperties @{ r = 1 } -Wait -PollInterval 0.05
        $results = Get-IotJobDeviceResult $job.JobId
        $results[0].PSTypeNames | Should -Contain 'IotLabKit.DeviceJobResult'
        ($results.DeviceId | Sort-Object) | Should -Be ($targets | Sort-Object)
        $results.Status | Should -Be @('Completed', 'Completed')
        ($job | Get-IotJobDeviceResult -Status Failed) | Should -BeNullOrEmpty
    }

    It 'shows why a method job failed on an offline device' {
        $id = New-TestDeviceId 'offline'
        New-IotDevice $id | Out-Null
        $job = New-IotJob "deviceId = '$id'" -MethodName ping -Wait -PollInterval 0.05
        $result = Get-IotJobDeviceResult $job.JobId -Status Failed
        $result.DeviceId | Should -Be $id
        $result.ErrorCode | Should -Be 'DeviceNotOnline'
    }
}
