# The lab runner against a real emulator: Get-IotLab and Invoke-IotLabScript, with the fixture lab in
# tests/fixtures/labs (independent of the real labs' content).

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-IotLabKitForTest
    $script:FixtureLabs = Join-Path $script:RepoRoot 'tests' 'fixtures' 'labs'
    $script:FixtureLab = Join-Path $script:FixtureLabs 'lab99-runner-fixture'
    $script:FailingScripts = Join-Path $script:RepoRoot 'tests' 'fixtures' 'scripts'

    function Invoke-Captured([scriptblock] $Command) {
        # The script's lines arrive on the information stream (as Write-Host's do); errors are collected apart, also
        # when the caller's preference would make them stop the command (the suite runs with 'Stop').
        $ErrorActionPreference = 'Continue'
        $records = @(& $Command 2>&1 6>&1)
        [pscustomobject]@{
            Lines  = @($records | Where-Object { $_ -is [System.Management.Automation.InformationRecord] } | ForEach-Object { "$_" })
            Errors = @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        }
    }
}

AfterAll {
    Get-Job | Where-Object PSJobTypeName -eq 'IotLabScript' | Remove-Job -Force
    Stop-TestEmulator
}

Describe 'Get-IotLab' {
    It 'lists the fixture lab from -LabPath' {
        $lab = Get-IotLab -LabPath $script:FixtureLabs | Where-Object Lab -eq 99
        $lab.Title | Should -Be 'Runner fixture'
        $lab.Devices | Should -Be @('fixture-dev-01', 'fixture-dev-02')
        $lab.Tasks | Should -Be 6
        $lab.PSObject.TypeNames[0] | Should -Be 'IotLabKit.Lab'
    }

    It 'lists a lab''s steps in order with their actions and checkpoints' {
        $steps = @(Get-IotLab -Lab 99 -LabPath $script:FixtureLabs)
        $steps.Step | Should -Be @('1.1', '2.1', '2.2', '2.3', '2.4', '3.1')
        $steps[1].Action | Should -Be 'script (background)'
        $steps[1].Target | Should -Be 'scripts/Heartbeat.csx'
        $steps[0].Checkpoint | Should -Be 'Test-Lab99DevicesExist'
        $steps[0].PSObject.TypeNames[0] | Should -Be 'IotLabKit.LabStep'
        ($steps | Format-Table | Out-String) | Should -Match 'Exercise 2: Send and read telemetry'
    }

    It 'finds labs through IOTLABKIT_LABS_PATH' {
        $env:IOTLABKIT_LABS_PATH = $script:FixtureLabs
        try { (Get-IotLab -Lab 99 | Select-Object -First 1).Lab | Should -Be 99 }
        finally { Remove-Item Env:IOTLABKIT_LABS_PATH }
    }

    It 'names every problem of a broken lab.json and still lists the others' {
        $broken = Join-Path $TestDrive 'labs' 'lab98-broken'
        New-Item -ItemType Directory -Path $broken -Force | Out-Null
        Copy-Item (Join-Path $script:FixtureLab 'lab.json') $broken
        $json = Get-Content -Raw (Join-Path $broken 'lab.json') | ConvertFrom-Json -AsHashtable
        $json.id = 98
        $json.exercises[0].tasks[0].id = '2.1'
        $json.exercises[0].tasks[0].checkpoint.check = 'CheckSomething'
        $json | ConvertTo-Json -Depth 20 | Set-Content (Join-Path $broken 'lab.json')
        $errors = $null
        $labs = Get-IotLab -LabPath (Join-Path $TestDrive 'labs'), $script:FixtureLabs -ErrorVariable errors -ErrorAction SilentlyContinue
        $labs.Lab | Should -Contain 99
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'GetIotLabInvalidDefinition,*'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $message = $errors[0].Exception.Message
        $message | Should -Match "exercises\[0\]\.tasks\[0\]\.id: '2\.1' must read ""1\.<task number>"""
        $message | Should -Match "exercises\[0\]\.tasks\[0\]\.checkpoint\.check: 'CheckSomething'"
        $message | Should -Match "instructions: 'instructions/1\.1-setup\.md' does not exist"
    }

    It 'says which folders it searched for an unknown lab' {
        $err = $null
        try { Get-IotLab -Lab 97 -LabPath $script:FixtureLabs -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'GetIotLabLabNotFound,*'
        $err.Exception.Message | Should -Match ([regex]::Escape($script:FixtureLabs))
    }
}

Describe 'Invoke-IotLabScript' {
    BeforeAll {
        Start-TestEmulator | Out-Null
        'fixture-dev-01', 'fixture-dev-02' | ForEach-Object { New-IotDevice -DeviceId $_ } | Out-Null
    }

    It 'runs a script that uses DeviceClient, RegistryManager and EventHubConsumerClient against the emulator' {
        $run = Invoke-Captured { Invoke-IotLabScript (Join-Path $script:FixtureLab 'scripts' 'Telemetry.csx') -DeviceId fixture-dev-01 -Seed 7 }
        $run.Errors | Should -BeNullOrEmpty
        $sent = $run.Lines | Where-Object { $_ -like 'Message sent: *' }
        $sent | Should -HaveCount 1
        $marker = $sent.Substring('Message sent: '.Length)
        $run.Lines | Should -Contain "Telemetry received: {""marker"":$marker}"
        ($run.Lines | Where-Object { $_ -like 'Reported: *' }) | Should -Match '"fixture":"ran"'
        (Get-Twin -DeviceId fixture-dev-01).Reported.fixture | Should -Be 'ran'
    }

    It 'makes runs reproducible with -Seed' {
        $first = Invoke-Captured { Invoke-IotLabScript (Join-Path $script:FixtureLab 'scripts' 'Telemetry.csx') -DeviceId fixture-dev-01 -Seed 7 }
        $again = Invoke-Captured { Invoke-IotLabScript (Join-Path $script:FixtureLab 'scripts' 'Telemetry.csx') -DeviceId fixture-dev-01 -Seed 7 }
        $other = Invoke-Captured { Invoke-IotLabScript (Join-Path $script:FixtureLab 'scripts' 'Telemetry.csx') -DeviceId fixture-dev-01 -Seed 8 }
        $marker = { param($r) $r.Lines | Where-Object { $_ -like 'Message sent: *' } }
        (& $marker $again) | Should -Be (& $marker $first)
        (& $marker $other) | Should -Not -Be (& $marker $first)
    }

    It 'shows ConsoleHelper lines in their colour' {
        $records = Invoke-IotLabScript (Join-Path $script:FixtureLab 'scripts' 'Telemetry.csx') -DeviceId fixture-dev-01 6>&1
        $green = $records | Where-Object { "$_" -like 'Telemetry received:*' }
        $green.MessageData.ForegroundColor | Should -Be ([ConsoleColor]::Green)
    }

    It 'reports each compile error with file, line, column, the student''s line and a caret' {
        $run = Invoke-Captured { Invoke-IotLabScript (Join-Path $script:FailingScripts 'Broken.csx') }
        $run.Lines | Should -BeNullOrEmpty
        $run.Errors | Should -HaveCount 2
        $run.Errors | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'InvokeIotLabScriptCompilationError,*' }
        $first = $run.Errors[0].Exception.Message -split "`r?`n"
        $first[0] | Should -Be "Broken.csx(4,19): error CS0103: The name 'greting' does not exist in the current context"
        $first[1] | Should -Be ' 4 | Console.WriteLine(greting);'
        $first[2] | Should -Be ((' ' * 2) + ' | ' + (' ' * 18) + ('^' * 7))
        $second = $run.Errors[1].Exception.Message -split "`r?`n"
        $second[0] | Should -BeLike 'Broken.csx(5,14): error CS0029:*'
        # A tab in the student's line stays a tab under it, so the caret lines up.
        $second[2] | Should -Be ((' ' * 2) + ' | ' + "`t" + (' ' * 12) + ('^' * 7))
        $run.Errors[0].Exception.Message | Should -Not -Match 'at Microsoft\.|at IotLabKit\.'
    }

    It 'reports an exception with the script''s own lines only' {
        $run = Invoke-Captured { Invoke-IotLabScript (Join-Path $script:FailingScripts 'Throws.csx') }
        $run.Lines | Should -Be @('Checking the fan')
        $run.Errors | Should -HaveCount 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'InvokeIotLabScriptScriptFailed,*'
        $message = $run.Errors[0].Exception.Message
        $message | Should -Match "The script 'Throws.csx' failed: InvalidOperationException: Invalid parameter: on"
        $message | Should -Match 'Throws\.csx, line 5 in CheckFan: if \(state != "On"\)'
        $message | Should -Match 'Throws\.csx, line 9: CheckFan\("on"\);'
        $message | Should -Not -Match 'IotLabKit\.Labs|Microsoft\.CodeAnalysis|System\.Runtime'
        $run.Errors[0].Exception.InnerException | Should -BeNullOrEmpty
    }

    It 'fails clearly for a missing script or an unknown device' {
        $err = $null
        try { Invoke-IotLabScript (Join-Path $TestDrive 'nope.csx') -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'InvokeIotLabScriptScriptNotFound,*'
        try { Invoke-IotLabScript (Join-Path $script:FixtureLab 'scripts' 'Heartbeat.csx') -DeviceId no-such-device -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'InvokeIotLabScriptDeviceNotFound,*'
        $err.Exception.Message | Should -Match "'no-such-device' does not exist"
    }

    It 'runs a script in the background as a job that Stop-Job stops cleanly' {
        $job = Invoke-IotLabScript (Join-Path $script:FixtureLab 'scripts' 'Heartbeat.csx') -DeviceId fixture-dev-02 -Args fixture-dev-02 -Background
        try {
            $job.PSJobTypeName | Should -Be 'IotLabScript'
            $job.State | Should -Be 'Running'
            (Get-Job -Id $job.Id).Name | Should -Be 'Heartbeat.csx'
            $job.Run.Output.WaitForLineAsync('Message sent').Wait([TimeSpan]::FromSeconds(60)) | Should -BeTrue
            Stop-Job $job
            $job.State | Should -Be 'Stopped'
            $lines = @(Receive-Job $job)
            $lines[0] | Should -Be 'Heartbeat for fixture-dev-02'
            $lines | Should -Contain 'Message sent'
            # The script saw its CancellationToken and closed its client itself.
            $lines[-1] | Should -Be 'Heartbeat stopped cleanly'
            # The hub records the DISCONNECT a moment after the client returns from closing.
            Wait-Until { (Get-IotDevice -DeviceId fixture-dev-02).ConnectionState -eq 'Disconnected' } 'fixture-dev-02 disconnected' -TimeoutSeconds 15
        }
        finally { Remove-Job $job -Force }
    }
}

Describe 'Start-IotLab' {
    BeforeAll {
        Stop-TestEmulator
        Start-TestEmulator | Out-Null
    }

    It 'runs the fixture lab unattended: setup, background and foreground scripts, a command, checkpoints, stop' {
        $records = @(Start-IotLab -Lab 99 -Auto -LabPath $script:FixtureLabs 6>&1)
        $run = $records | Where-Object { $_ -isnot [System.Management.Automation.InformationRecord] }
        $shown = @($records | Where-Object { $_ -is [System.Management.Automation.InformationRecord] } | ForEach-Object { "$_" })
        $run.PSObject.TypeNames[0] | Should -Be 'IotLabKit.LabRun'
        $run.Completed | Should -BeTrue
        $run.Seed | Should -Be 42
        $run.Tasks.Step | Should -Be @('1.1', '2.1', '2.2', '2.3', '2.4', '3.1')
        $run.Tasks.Outcome | Should -Be @('Ran', 'Ran', 'Ran', 'Ran', 'Ran', 'Skipped')
        $run.CheckpointsPassed | Should -Be 3
        $run.CheckpointsFailed | Should -Be 0
        # What the student saw, in order.
        $order = 'Task 1.1: Set up the hub', 'Configuration Data:', '✓ Devices fixture-dev-01, fixture-dev-02 exist.',
            'Task 2.1: Start the heartbeat', 'Heartbeat for fixture-dev-02', 'Task 2.2: Send, report and read back',
            '✓ fixture-dev-01 reported fixture = ''ran''.', 'Task 2.3: Tag the device',
            'PS> Set-TwinTags -DeviceId fixture-dev-01 -Properties @{ cave = ''CheeseCave1'' } | Select-Object DeviceId, Tags',
            'Task 2.4: Stop the heartbeat', 'Heartbeat stopped cleanly', 'Stopped Heartbeat.csx.',
            'Skipped: an optional exercise (add -IncludeOptional to run it).'
        $positions = foreach ($line in $order) { [array]::IndexOf($shown, $line) }
        $positions | Should -Not -Contain -1 -Because ($shown -join "`n")
        ($positions | Sort-Object) | Should -Be $positions
        $shown | Should -Contain 'Device fixture-dev-01: created'
        ($shown | Where-Object { $_ -like '*Telemetry received: {"marker":*' }) | Should -Not -BeNullOrEmpty
        [IotLabKit.Labs.Scripting.LabScriptRegistry]::Running.Count | Should -Be 0
        Wait-Until { (Get-IotDevice -DeviceId fixture-dev-02).ConnectionState -eq 'Disconnected' } 'fixture-dev-02 disconnected' -TimeoutSeconds 15
    }

    It 'says "Already exists" for the lab''s devices on a second run and runs optional exercises with -IncludeOptional' {
        $records = @(Start-IotLab -Lab 99 -Auto -IncludeOptional -LabPath $script:FixtureLabs 6>&1)
        $shown = @($records | ForEach-Object { "$_" })
        $shown | Should -Contain 'Device fixture-dev-01: Already exists'
        $run = $records | Where-Object { $_ -isnot [System.Management.Automation.InformationRecord] }
        $run.Tasks[-1].Step | Should -Be '3.1'
        $run.Tasks[-1].Outcome | Should -Be 'Ran'
    }

    It 'resumes at -Step, redoing the setup and the background script earlier steps leave running' {
        $records = @(Start-IotLab -Lab 99 -Step 2.2 -Auto -LabPath $script:FixtureLabs 6>&1)
        $run = $records | Where-Object { $_ -isnot [System.Management.Automation.InformationRecord] }
        $run.Tasks.Step | Should -Be @('1.1', '2.1', '2.2', '2.3', '2.4', '3.1')
        $run.Tasks.Outcome | Should -Be @('Replayed', 'Replayed', 'Ran', 'Ran', 'Ran', 'Skipped')
        @($records | ForEach-Object { "$_" }) | Should -Contain 'Heartbeat stopped cleanly'
    }

    It 'names the steps there are for an unknown -Step' {
        $err = $null
        try { Start-IotLab -Lab 99 -Step 9.9 -Auto -LabPath $script:FixtureLabs -ErrorAction Stop 6>$null } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'StartIotLabStepNotFound,*'
        $err.Exception.Message | Should -Match 'Its steps are 1\.1, 2\.1, 2\.2, 2\.3, 2\.4, 3\.1'
    }

    It 'refuses to run interactively in a host that cannot prompt, and points to -Auto' {
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddCommand('Import-Module').AddArgument($script:StagedModule).AddStatement().
                AddCommand('Start-IotLab').AddParameter('Lab', 99).AddParameter('LabPath', $script:FixtureLabs)
            $err = $null
            try { $shell.Invoke() } catch { $err = $_.Exception.InnerException.ErrorRecord }
            if (-not $err) { $err = $shell.Streams.Error[0] }
            $err.FullyQualifiedErrorId | Should -BeLike 'StartIotLabHostNotInteractive,*'
            $err.Exception.Message | Should -Match 'Start-IotLab -Lab 99 -Auto'
        }
        finally { $shell.Dispose() }
    }

    It 'shows a script''s compile errors with the caret and fails the task' {
        $lab = Join-Path $TestDrive 'labs' 'lab96-broken-script'
        New-Item -ItemType Directory -Path (Join-Path $lab 'scripts'), (Join-Path $lab 'instructions') -Force | Out-Null
        Copy-Item (Join-Path $script:FailingScripts 'Broken.csx') (Join-Path $lab 'scripts')
        'Run the broken script.' | Set-Content (Join-Path $lab 'instructions' '1.1-run.md')
        @{ id = 96; title = 'Broken script'; summary = 'A script that does not compile.'; devices = @('fixture-dev-01')
           exercises = @(@{ number = 1; title = 'Run'; tasks = @(@{ id = '1.1'; title = 'Run it'; instructions = 'instructions/1.1-run.md'
                             action = @{ kind = 'script'; script = 'scripts/Broken.csx' } }) }) } |
            ConvertTo-Json -Depth 10 | Set-Content (Join-Path $lab 'lab.json')
        $records = @(Start-IotLab -Lab 96 -Auto -LabPath (Join-Path $TestDrive 'labs') -ErrorAction SilentlyContinue -ErrorVariable errors 6>&1)
        $shown = @($records | Where-Object { $_ -is [System.Management.Automation.InformationRecord] } | ForEach-Object { "$_" })
        $shown | Should -Contain "Broken.csx(4,19): error CS0103: The name 'greting' does not exist in the current context"
        $shown | Should -Contain ' 4 | Console.WriteLine(greting);'
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'StartIotLabCompilationError,*'
        $run = $records | Where-Object { $_ -isnot [System.Management.Automation.InformationRecord] -and $_ -isnot [System.Management.Automation.ErrorRecord] }
        $run.Tasks[0].Outcome | Should -Be 'Failed'
    }
}

Describe 'Test-IotLab' {
    BeforeAll {
        Stop-TestEmulator
        Start-TestEmulator | Out-Null
        Start-IotLab -Lab 99 -Auto -LabPath $script:FixtureLabs 6>$null | Out-Null
    }

    It 'grades a complete hub with the lab''s Pester grader and writes JUnit XML' {
        $xml = Join-Path $TestDrive 'results' 'lab99.xml'
        $records = @(Test-IotLab -Lab 99 -LabPath $script:FixtureLabs -OutputPath $xml -OutputFormat JUnitXml 6>&1)
        $grade = $records | Where-Object { $_ -isnot [System.Management.Automation.InformationRecord] }
        $grade.PSObject.TypeNames[0] | Should -Be 'IotLabKit.LabGrade'
        $grade.Passed | Should -Be 3
        $grade.Failed | Should -Be 0
        $grade.Score | Should -Be '3 of 3 checks passed'
        @($records | ForEach-Object { "$_" }) | Should -Contain '3 of 3 checks passed'
        [xml] $junit = Get-Content -Raw $xml
        $junit.testsuites.tests | Should -Be 3
        $junit.testsuites.failures | Should -Be 0
    }

    It 'fails an incomplete hub with the message a student understands, also for a hub given by connection string' {
        Set-TwinTags -DeviceId fixture-dev-01 -Properties @{ cave = $null } | Out-Null
        $owner = (Get-IotHubEmulator -AsPlainText).ServiceConnectionString
        $xml = Join-Path $TestDrive 'results' 'lab99-nunit.xml'
        $grade = Test-IotLab -Lab 99 -LabPath $script:FixtureLabs -ConnectionString $owner -OutputPath $xml 6>$null
        $grade.Score | Should -Be '2 of 3 checks passed'
        $failed = @($grade.Checks | Where-Object { -not $_.Passed })
        $failed.Name | Should -Be 'has the cave tag'
        $failed.Message | Should -Be "fixture-dev-01 has no tag cave = 'CheeseCave1' (found ''). Tag it with Set-TwinTags."
        [xml] $nunit = Get-Content -Raw $xml
        $nunit.'test-results'.failures | Should -Be 1
    }

    It 'checks the devices given with -DeviceId' {
        $grade = Test-IotLab -Lab 99 -LabPath $script:FixtureLabs -DeviceId no-such-device 6>$null
        ($grade.Checks | Where-Object Name -eq 'has the lab''s devices').Message | Should -Be 'Missing device(s): no-such-device. Run the setup step.'
    }
}
