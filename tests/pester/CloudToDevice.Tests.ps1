# Cloud-to-device messages from PowerShell against a real emulator: Send-CloudToDeviceMessage (over AMQP) to a device
# that receives with our device client over MQTT, -Wait for the hub's feedback, Receive-CloudToDeviceFeedback and
# Clear-CloudToDeviceQueue, and the errors a script can rely on.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-IotLabKitForTest
    $script:status = Start-TestEmulator
    # The module loads its device library on first use; the test's own device needs its types now.
    Add-Type -Path (Join-Path (Split-Path (Get-Module IotLabKit).Path) 'IotLabKit.Device.dll')

    # A device on our device client (MQTT over TLS); the caller disposes it.
    function New-TestDeviceClient([string] $DeviceId) {
        $cs = Get-IotDeviceConnectionString $DeviceId -AsPlainText
        $options = [IotLabKit.Device.DeviceClientOptions]::new()
        $options.CaCertificatePath = $script:status.CaCertificatePath
        [IotLabKit.Device.DeviceClient]::CreateFromConnectionString($cs, [IotLabKit.Device.TransportType]::Mqtt, $options)
    }
}

AfterAll {
    Stop-TestEmulator
}

Describe 'Send-CloudToDeviceMessage' {
    It '-Wait returns Success once the device has received the message, with its body and properties' {
        $id = New-TestDeviceId 'c2d'
        New-IotDevice $id | Out-Null
        $client = New-TestDeviceClient $id
        try {
            # The device starts listening first; the send below waits for the hub's feedback while it receives.
            $receiving = $client.ReceiveAsync([TimeSpan]::FromSeconds(60))

            $result = Send-CloudToDeviceMessage $id -Body @{ fan = 'on' } -Property @{ level = 'high' } -CorrelationId 'corr-1' -Wait -Timeout 60

            $result.PSTypeNames | Should -Contain 'IotLabKit.CloudToDeviceMessage'
            $result.Status | Should -Be 'Success'
            $result.Ack | Should -Be 'Full'
            $result.Description | Should -Be 'Success'
            $result.DeviceId | Should -Be $id
            $received = $receiving.GetAwaiter().GetResult()
            $received | Should -Not -BeNullOrEmpty
            [Text.Encoding]::UTF8.GetString($received.GetBytes()) | Should -Be '{"fan":"on"}'
            $received.ContentType | Should -Be 'application/json'
            $received.MessageId | Should -Be $result.MessageId
            $received.CorrelationId | Should -Be 'corr-1'
            $received.Properties['level'] | Should -Be 'high'
            (Get-IotDevice $id).CloudToDeviceMessageCount | Should -Be 0
        }
        finally { $client.Dispose() }
    }

    It 'without -Wait writes a Queued result, takes the device id from the pipeline, and the device count shows it' {
        $id = New-TestDeviceId 'queued'
        New-IotDevice $id | Out-Null

        $results = Get-IotDevice $id | Send-CloudToDeviceMessage -Body 'one'

        $results.Status | Should -Be 'Queued'
        $results.Ack | Should -Be 'None'
        $results.BodyLength | Should -Be 3
        (Get-IotDevice $id).CloudToDeviceMessageCount | Should -Be 1
    }

    It '-WhatIf sends nothing' {
        $id = New-TestDeviceId 'whatif'
        New-IotDevice $id | Out-Null

        Send-CloudToDeviceMessage $id -Body 'no' -WhatIf | Should -BeNullOrEmpty

        (Get-IotDevice $id).CloudToDeviceMessageCount | Should -Be 0
    }

    It 'refuses the 51st queued message with a stable error id, and Clear-CloudToDeviceQueue empties the queue' {
        $id = New-TestDeviceId 'full'
        New-IotDevice $id | Out-Null
        1..50 | ForEach-Object { Send-CloudToDeviceMessage $id -Body "m$_" } | Out-Null

        Send-CloudToDeviceMessage $id -Body 'one too many' -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'SendCloudToDeviceMessageQuotaExceeded*'
        $failed[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $failed[0].ErrorDetails.RecommendedAction | Should -BeLike '*Clear-CloudToDeviceQueue*'

        $purge = Clear-CloudToDeviceQueue $id -Force
        $purge.PSTypeNames | Should -Contain 'IotLabKit.CloudToDevicePurge'
        $purge.TotalMessagesPurged | Should -Be 50
        (Get-IotDevice $id).CloudToDeviceMessageCount | Should -Be 0
    }

    It 'reports an unknown device as NotFound and a -Wait that gets no feedback as Timeout' {
        Send-CloudToDeviceMessage 'no-such-device' -Body 'x' -ErrorVariable missing -ErrorAction SilentlyContinue | Out-Null
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'SendCloudToDeviceMessageNotFound*'
        $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'

        $offline = New-TestDeviceId 'offline'
        New-IotDevice $offline | Out-Null
        Send-CloudToDeviceMessage $offline -Body 'x' -Wait -Timeout 2 -ErrorVariable late -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $late[0].FullyQualifiedErrorId | Should -BeLike 'SendCloudToDeviceMessageTimeout*'
        $late[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        (Get-IotDevice $offline).CloudToDeviceMessageCount | Should -Be 1
    }

    It '-Wait with -Ack None is refused before anything is sent' {
        { Send-CloudToDeviceMessage 'any' -Body 'x' -Wait -Ack None -ErrorAction Stop } |
            Should -Throw -ErrorId 'SendCloudToDeviceMessageInvalidArgument*'
    }
}

Describe 'Receive-CloudToDeviceFeedback' {
    It 'returns the Purged record of a message that asked for negative feedback' {
        $id = New-TestDeviceId 'fb'
        New-IotDevice $id | Out-Null
        $sent = Send-CloudToDeviceMessage $id -Body 'never delivered' -Ack Negative
        Clear-CloudToDeviceQueue $id -Force | Out-Null

        $records = Receive-CloudToDeviceFeedback -Timeout 30 | Where-Object OriginalMessageId -eq $sent.MessageId | Select-Object -First 1

        $records.PSTypeNames | Should -Contain 'IotLabKit.CloudToDeviceFeedback'
        $records.StatusCode | Should -Be 'Purged'
        $records.DeviceId | Should -Be $id
    }
}
