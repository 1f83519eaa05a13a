BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-IotLabKitForTest
}

AfterAll {
    Stop-TestEmulator
}

Describe 'Start-IotHubEmulator' {
    It 'starts, connects the session and reports its state' {
        $status = Start-TestEmulator
        $status.PSTypeNames | Should -Contain 'IotLabKit.EmulatorStatus'
        $status.Running | Should -BeTrue
        $status.Storage | Should -Be 'memory'
        $status.ConnectionHost | Should -Match '^localhost:\d+$'
        $status.Connected | Should -BeTrue
        Test-Path $status.CaCertificatePath | Should -BeTrue
        Get-Process -Id $status.ProcessId | Should -Not -BeNullOrEmpty
        Get-IotDevice | Should -BeNullOrEmpty
    }

    It 'takes free ports for every listener with -Port 0, leaving IoT Hub''s well-known ones to another emulator' {
        $status = Get-IotHubEmulator
        $status.MqttPort | Should -BeGreaterThan 0
        $status.MqttPort | Should -Not -Be 8883
        $status.AmqpsPort | Should -Not -Be 5671
        $status.AmqpPort | Should -Not -Be 5672
        (Get-IotHubEventHubConnectionString -AsPlainText) | Should -Match "Endpoint=sb://localhost:$($status.AmqpPort)/"
    }

    It 'hands out the service connection string as a SecureString unless -AsPlainText' {
        (Get-IotHubEmulator).ServiceConnectionString | Should -BeOfType [securestring]
        $plain = (Get-IotHubEmulator -AsPlainText).ServiceConnectionString
        $plain | Should -Match '^HostName=localhost:\d+;SharedAccessKeyName=iothubowner;SharedAccessKey=.+;UseDevelopmentEmulator=true$'
        ConvertFrom-SecureStringToText (Get-IotHubEmulator).ServiceConnectionString | Should -Be $plain
    }

    It 'refuses a second start while one runs' {
        $err = $null
        try { Start-IotHubEmulator -InMemory -Port 0 -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'StartIotHubEmulatorAlreadyRunning,*'
        $err.CategoryInfo.Category | Should -Be 'ResourceExists'
    }

    It 'restarts with -Force' {
        $before = Get-IotHubEmulator
        New-IotDevice 'before-restart' | Out-Null
        $after = Start-IotHubEmulator -InMemory -Port 0 -DataPath (Join-Path ([IO.Path]::GetTempPath()) "iotlabkit-pester-$PID") -Force -PassThru
        $after.ProcessId | Should -Not -Be $before.ProcessId
        Get-Process -Id $before.ProcessId -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-IotDevice 'before-restart' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty   # in memory: a new, empty hub
    }

    It 'starts nothing with -WhatIf' {
        $before = Get-IotHubEmulator
        Start-IotHubEmulator -InMemory -Port 0 -Force -WhatIf
        (Get-IotHubEmulator).ProcessId | Should -Be $before.ProcessId
    }
}

Describe 'Stop-IotHubEmulator' {
    It 'stops the process and disconnects the session' {
        $status = Get-IotHubEmulator
        Stop-IotHubEmulator
        Get-Process -Id $status.ProcessId -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-IotHubEmulator | Should -BeNullOrEmpty
        $err = $null
        try { Get-IotDevice -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'GetIotDeviceNotConnected,*'
    }

    It 'says so when nothing runs' {
        Stop-IotHubEmulator -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'StopIotHubEmulatorNotRunning,*'
    }
}

Describe 'A failing start' {
    It 'reports the emulator''s own error output' {
        # A data path that is a file cannot hold the emulator's certificates, so the emulator exits at once.
        $file = Join-Path $TestDrive 'not-a-folder'
        Set-Content $file 'x'
        $err = $null
        try { Start-IotHubEmulator -InMemory -Port 0 -DataPath $file -ErrorAction Stop } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'StartIotHubEmulatorExitedEarly,*'
        $err.Exception.Message | Should -Match 'exited with code'
        Get-IotHubEmulator | Should -BeNullOrEmpty
    }
}
