# The lab runner against a real emulator: Get-IotLab and Invoke-IotLabScript, with the fixture lab in
# tests/fixtures/labs (independent of the real labs' content).

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-IotLabKitForTest
    $script:FixtureLabs = Join-Path $script:RepoRoot 'tests' 'fixtures' 'labs'
    $script:FixtureLab = Join-Path $script:FixtureLabs 'lab99-runner-fixture'
    $script:FailingScripts = Join-Path $script:RepoRoot 'tests' 'fixtures' 'scripts'

    function Invoke-Captured([scriptblock] $Command) {
        # The script's lines arrive on the information stream (as Write-Host's do); errors are collected apart.
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
            (Get-IotDevice -DeviceId fixture-dev-02).ConnectionState | Should -Be 'Disconnected'
        }
        finally { Remove-Job $job -Force }
    }
}
