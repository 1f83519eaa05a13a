BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-IotLabKitForTest
    Start-TestEmulator | Out-Null

    # One run id for this file: every query filters on it, so other files' devices never show up.
    $script:Run = New-TestDeviceId 'qry'
    $script:Ids = foreach ($i in 1..12) {
        $id = '{0}-{1:D2}' -f $script:Run, $i
        New-IotDevice $id | Out-Null
        Set-TwinTags $id @{
            run        = $script:Run
            cheeseCave = if ($i -le 3) { 'CheeseCave1' } else { 'CheeseCave2' }
            floor      = $i % 3
        } | Out-Null
        $id
    }

    # Counts the progress records Invoke-IotQuery writes, from a nested runspace where they can be observed.
    function Get-QueryProgress([string] $Query, [int] $PageSize, [int] $First = 0) {
        $ps = [PowerShell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddArgument($script:StagedModule).AddStatement()
            # The module's hub session is per process, so the nested runspace uses this file's emulator as it is.
            $null = $ps.AddCommand('Invoke-IotQuery').AddArgument($Query).AddParameter('PageSize', $PageSize)
            if ($First -gt 0) { $null = $ps.AddParameter('First', $First) }
            $results = $ps.Invoke()
            [pscustomobject]@{ Results = $results; Progress = @($ps.Streams.Progress); Errors = @($ps.Streams.Error) }
        }
        finally { $ps.Dispose() }
    }
}

AfterAll {
    Stop-TestEmulator
}

Describe 'Invoke-IotQuery' {
    It 'returns twins as the module''s twin objects for SELECT *' {
        $twins = @(Invoke-IotQuery "SELECT * FROM devices WHERE tags.cheeseCave = 'CheeseCave1' AND tags.run = '$script:Run'")

        $twins.DeviceId | Should -Be $script:Ids[0..2]
        $twins[0].PSTypeNames | Should -Contain 'IotLabKit.Twin'
        $twins[0].Tags.cheeseCave | Should -Be 'CheeseCave1'
        $twins[0].Desired.'$version' | Should -Be 1
        ($twins[0] | ConvertTo-Json -Depth 10) | Should -Be ((Get-Twin $script:Ids[0]) | ConvertTo-Json -Depth 10)
    }

    It 'returns projections as PSCustomObjects with the row''s member names' {
        $rows = @(Invoke-IotQuery "SELECT deviceId, tags.floor AS f FROM devices WHERE tags.run = '$script:Run' AND tags.floor = 0")

        $rows.Count | Should -Be 4
        $rows[0].PSObject.Properties.Name | Should -Be @('deviceId', 'f')
        $rows[0].PSTypeNames | Should -Not -Contain 'IotLabKit.Twin'
        $rows.deviceId | Should -Be @($script:Ids[2], $script:Ids[5], $script:Ids[8], $script:Ids[11])
        $rows.f | Should -Be @(0, 0, 0, 0)
    }

    It 'returns GROUP BY rows with aliases, aggregates first' {
        $rows = @(Invoke-IotQuery "SELECT tags.cheeseCave AS cave, COUNT() AS devices FROM devices WHERE tags.run = '$script:Run' GROUP BY tags.cheeseCave")

        $rows.Count | Should -Be 2
        $rows[0].PSObject.Properties.Name | Should -Be @('devices', 'cave')
        ($rows | Where-Object cave -eq 'CheeseCave1').devices | Should -Be 3
        ($rows | Where-Object cave -eq 'CheeseCave2').devices | Should -Be 9
    }

    It 'streams every page to the pipeline and shows progress while pages remain' {
        $seen = [Collections.Generic.List[string]]::new()
        Invoke-IotQuery "SELECT deviceId FROM devices WHERE tags.run = '$script:Run'" -PageSize 5 |
            ForEach-Object { $seen.Add($_.deviceId) }
        $seen | Should -Be $script:Ids

        $run = Get-QueryProgress "SELECT deviceId FROM devices WHERE tags.run = '$script:Run'" 5
        $run.Errors | Should -BeNullOrEmpty
        $run.Results.Count | Should -Be 12
        # Pages of 5, 5 and 2: a record after each page that has a successor, then Completed.
        $working = @($run.Progress | Where-Object RecordType -eq 'Processing')
        $working.Count | Should -Be 2
        $working[0].StatusDescription | Should -Match '^5 results from 1 page'
        $run.Progress[-1].RecordType | Should -Be 'Completed'
    }

    It 'hands each page on before it fetches the next' {
        # A device created while the first page is being consumed sorts after every other one, so it shows up
        # in a later page only if that page is fetched after the first page's results went down the pipeline.
        $late = '{0}-99' -f $script:Run
        $made = $false
        $seen = Invoke-IotQuery "SELECT deviceId FROM devices WHERE tags.run = '$script:Run' OR tags.late = '$script:Run'" -PageSize 5 |
            ForEach-Object {
                if (-not $made) {
                    New-IotDevice $late | Out-Null
                    Set-TwinTags $late @{ late = $script:Run } | Out-Null
                    $made = $true
                }
                $_.deviceId
            }
        $seen | Should -Be (@($script:Ids) + $late)
    }

    It '-First stops early and fetches no page it does not need' {
        $rows = @(Invoke-IotQuery "SELECT deviceId FROM devices WHERE tags.run = '$script:Run'" -First 3)
        $rows.deviceId | Should -Be $script:Ids[0..2]

        $rows = @(Invoke-IotQuery "SELECT deviceId FROM devices WHERE tags.run = '$script:Run'" -First 7 -PageSize 5)
        $rows.deviceId | Should -Be $script:Ids[0..6]

        # Pages of 2: the fourth page holds the 7th result, and no fifth page is asked for.
        $run = Get-QueryProgress "SELECT deviceId FROM devices WHERE tags.run = '$script:Run'" 2 7
        $run.Results.Count | Should -Be 7
        @($run.Progress | Where-Object RecordType -eq 'Processing').Count | Should -Be 3
        $run.Progress[-1].StatusDescription | Should -Match '^6 results from 3 page'
    }

    It 'sees writes immediately' {
        $id = $script:Ids[4]
        @(Invoke-IotQuery "SELECT deviceId FROM devices WHERE tags.run = '$script:Run' AND tags.flag = 'on'").Count | Should -Be 0
        Set-TwinTags $id @{ flag = 'on' } | Out-Null
        (Invoke-IotQuery "SELECT deviceId FROM devices WHERE tags.run = '$script:Run' AND tags.flag = 'on'").deviceId | Should -Be $id
    }

    It 'runs the course queries' {
        @(Invoke-IotQuery "SELECT deviceId FROM devices WHERE properties.reported.firmware.currentFwVersion='1.0.1' AND tags.run = '$script:Run'").Count | Should -Be 0
        @(Invoke-IotQuery "SELECT deviceId FROM devices WHERE configurations.[[firmwareupdate]].status='Applied' AND tags.run = '$script:Run'").Count | Should -Be 0
        $count = Invoke-IotQuery "SELECT COUNT() AS total FROM devices WHERE tags.run = '$script:Run'"
        $count.total | Should -Be 12
    }

    It 'takes queries from the pipeline, also by property name' {
        $rows = @(
            "SELECT COUNT() AS n FROM devices WHERE tags.run = '$script:Run'"
            [pscustomobject]@{ Query = "SELECT COUNT() AS n FROM devices WHERE tags.run = '$script:Run' AND tags.floor = 1" }
        ) | Invoke-IotQuery
        $rows.n | Should -Be @(12, 4)
    }

    It 'returns per-device job results as the jobs cmdlets'' objects' {
        $jobId = "job-$script:Run"
        $job = New-IotJob "tags.run = '$script:Run' AND tags.floor = 1" -Tags @{ jobbed = $true } -JobId $jobId -Wait
        $job.Status | Should -Be 'Completed'

        $rows = @(Invoke-IotQuery "SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '$jobId'")

        $rows.Count | Should -Be 4
        $rows | ForEach-Object { $_.PSTypeNames | Should -Contain 'IotLabKit.DeviceJobResult' }
        $rows.DeviceId | Should -Be @($script:Ids[0], $script:Ids[3], $script:Ids[6], $script:Ids[9])
        $rows.Status | Should -Be @('Completed', 'Completed', 'Completed', 'Completed')
        $rows[0].JobType | Should -Be 'ScheduleUpdateTwin'
        $rows[0].JobId | Should -Be $jobId
        # The same objects as the jobs cmdlet gives.
        ($rows[0] | ConvertTo-Json) | Should -Be ((Get-IotJobDeviceResult $jobId | Where-Object DeviceId -eq $script:Ids[0]) | ConvertTo-Json)
    }

    It 'writes InvokeIotQueryInvalidQuery with the hub''s message for a bad query, and runs the next one' {
        $errors = $null
        $rows = @('SELECT * FORM devices', "SELECT COUNT() AS n FROM devices WHERE tags.run = '$script:Run'") |
            Invoke-IotQuery -ErrorVariable errors -ErrorAction SilentlyContinue

        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'InvokeIotQueryInvalidQuery,*'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errors[0].Exception.Message | Should -Match 'position 10'
        $errors[0].Exception.Message | Should -Match 'FROM'
        $errors[0].TargetObject | Should -Be 'SELECT * FORM devices'
        $rows.n | Should -Be 12

        { Invoke-IotQuery ('SELECT * FROM devices WHERE tags.x = ''' + ('a' * 8200) + '''') -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvokeIotQueryInvalidQuery,IotLabKit.PowerShell.Query.InvokeIotQueryCommand'
    }

    It 'refuses page sizes the hub does not take, before sending anything' {
        { Invoke-IotQuery 'SELECT * FROM devices' -PageSize 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,IotLabKit.PowerShell.Query.InvokeIotQueryCommand'
        { Invoke-IotQuery 'SELECT * FROM devices' -PageSize 1001 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,IotLabKit.PowerShell.Query.InvokeIotQueryCommand'
    }

    It 'has help with the course queries as examples' {
        $help = Get-Help Invoke-IotQuery -Full
        $help.Synopsis | Should -Match 'query'
        ($help.Examples.Example.Code -join "`n") | Should -Match "tags.cheeseCave = 'CheeseCave1'"
        ($help.Examples.Example.Code -join "`n") | Should -Match 'configurations.\[\[firmwareupdate\]\].status'
        $help.Parameters.Parameter.Name | Should -Contain 'First'
    }
}
