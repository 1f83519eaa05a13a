# Get-/New-/Remove-IotHubConsumerGroup against a real emulator, and Receive-IotTelemetry reading in a created group.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-IotLabKitForTest
    Start-TestEmulator | Out-Null
}

AfterAll {
    Stop-SimulatedDevice -All -ErrorAction SilentlyContinue
    Stop-TestEmulator
}

Describe 'Consumer groups' {
    It 'lists $Default on a new hub' {
        $groups = @(Get-IotHubConsumerGroup)
        $groups[0].Name | Should -Be '$Default'
        $groups[0].Created | Should -BeNullOrEmpty
        $groups[0].PSTypeNames | Should -Contain 'IotLabKit.ConsumerGroup'
        ($groups | Format-Table | Out-String) | Should -Match 'always there'
    }

    It 'creates groups from the pipeline, lists them by wildcard, and deletes them' {
        $names = 'ops-a', 'ops-b'
        $created = $names | New-IotHubConsumerGroup
        $created.Name | Should -Be $names
        $created | ForEach-Object { $_.Created | Should -BeGreaterThan (Get-Date).AddMinutes(-5) }
        (Get-IotHubConsumerGroup 'ops-*').Name | Should -Be $names

        Get-IotHubConsumerGroup 'ops-*' | Remove-IotHubConsumerGroup -Confirm:$false
        Get-IotHubConsumerGroup 'ops-*' | Should -BeNullOrEmpty
    }

    It 'changes nothing with -WhatIf' {
        New-IotHubConsumerGroup 'whatif-group' -WhatIf
        Get-IotHubConsumerGroup 'whatif-*' | Should -BeNullOrEmpty
        New-IotHubConsumerGroup 'kept-group' | Out-Null
        Remove-IotHubConsumerGroup 'kept-group' -WhatIf
        (Get-IotHubConsumerGroup 'kept-group').Name | Should -Be 'kept-group'
        Remove-IotHubConsumerGroup 'kept-group' -Force
    }

    It 'gives clear errors with stable ids: bad name, unknown group, $Default' {
        { New-IotHubConsumerGroup 'bad name' -ErrorAction Stop } | Should -Throw -ErrorId 'NewIotHubConsumerGroupInvalidArgument,*'
        { Get-IotHubConsumerGroup 'never-made' -ErrorAction Stop } | Should -Throw -ErrorId 'GetIotHubConsumerGroupNotFound,*'
        { Remove-IotHubConsumerGroup 'never-made' -Force -ErrorAction Stop } | Should -Throw -ErrorId 'RemoveIotHubConsumerGroupNotFound,*'
        { Remove-IotHubConsumerGroup '$Default' -Force -ErrorAction Stop } | Should -Throw -ErrorId 'RemoveIotHubConsumerGroupInvalidArgument,*'
    }

    It 'lets Receive-IotTelemetry read in a created group, and refuses one that does not exist' {
        $id = New-TestDeviceId 'cg'
        Start-SimulatedDevice $id -Create -Behavior Telemetry -TelemetryInterval '00:00:00.2' | Out-Null
        New-IotHubConsumerGroup 'dashboard' | Out-Null

        $inGroup = Receive-IotTelemetry $id -ConsumerGroup dashboard -StartPosition Earliest -Count 2 -Timeout 30
        $inDefault = Receive-IotTelemetry $id -StartPosition Earliest -Count 2 -Timeout 30
        $inGroup.SequenceNumber | Should -Be $inDefault.SequenceNumber
        $inGroup.BodyText | Should -Be $inDefault.BodyText

        $err = $null
        try { Receive-IotTelemetry -ConsumerGroup nosuchgroup -Timeout 30 -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ReceiveIotTelemetryNotFound,*'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.Exception.Message | Should -BeLike '*nosuchgroup*'
        Stop-SimulatedDevice $id
    }
}

Describe 'Consumer groups on a hub that is not the emulator' {
    It 'says they are managed through Azure Resource Manager' {
        $real = 'HostName=contoso.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='
        $err = $null
        try { Get-IotHubConsumerGroup -ConnectionString $real -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'GetIotHubConsumerGroupNotEmulator,*'
        $err.ErrorDetails.RecommendedAction | Should -BeLike '*az iot hub consumer-group*'
    }
}
