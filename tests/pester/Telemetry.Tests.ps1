# Receive-IotTelemetry against a real emulator: it reads the Event Hubs-compatible endpoint (AMQP) with Microsoft's
# EventHubConsumerClient, as it would a real hub. Devices are simulated devices, or our device client sending
# messages with application properties.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-IotLabKitForTest
    $script:status = Start-TestEmulator

    # Sends messages as a device with our device client (MQTT over TLS), each awaited (PUBACK = stored).
    function Wait-NextMillisecond([int] $Count = 1) {
        $start = [DateTime]::UtcNow.Ticks / [TimeSpan]::TicksPerMillisecond
        while ([Math]::Floor([DateTime]::UtcNow.Ticks / [TimeSpan]::TicksPerMillisecond) -lt [Math]::Floor($start) + $Count) { }
    }

    function Send-TestTelemetry([string] $DeviceId, [object[]] $Bodies, [hashtable] $Properties = @{}, [string] $ContentType) {
        $cs = Get-IotDeviceConnectionString $DeviceId -AsPlainText
        $options = [IotLabKit.Device.DeviceClientOptions]::new()
        $options.CaCertificatePath = $script:status.CaCertificatePath
        $client = [IotLabKit.Device.DeviceClient]::CreateFromConnectionString($cs, [IotLabKit.Device.TransportType]::Mqtt, $options)
        try {
            foreach ($body in $Bodies) {
                $message = [IotLabKit.Device.Message]::new([Text.Encoding]::UTF8.GetBytes([string] $body))
                if ($ContentType) { $message.ContentType = $ContentType; $message.ContentEncoding = 'utf-8' }
                foreach ($name in $Properties.Keys) { $message.Properties[$name] = [string] $Properties[$name] }
                $client.SendEventAsync($message).GetAwaiter().GetResult()
            }
        }
        finally { $client.Dispose() }
    }
}

AfterAll {
    Stop-SimulatedDevice -All -ErrorAction SilentlyContinue
    Stop-TestEmulator
}

Describe 'Receive-IotTelemetry over the Event Hubs-compatible endpoint' {
    BeforeAll {
        $script:sender = New-TestDeviceId 'tele'
        Start-SimulatedDevice $sender -Create -Behavior Telemetry -TelemetryInterval '00:00:00.2' | Out-Null
    }

    It 'returns a simulated device''s telemetry from the earliest message, as objects with body and hub stamps' {
        $messages = Receive-IotTelemetry -DeviceId $sender -StartPosition Earliest -Count 3 -Timeout 30

        $messages.Count | Should -Be 3
        foreach ($message in $messages) {
            $message.PSTypeNames | Should -Contain 'IotLabKit.TelemetryMessage'
            $message.DeviceId | Should -Be $sender
            $message.Body.temperature | Should -BeGreaterThan 50   # Lab 15's cave: about 70 °F
            $message.Body.temperature | Should -BeLessThan 90
            $message.Body.humidity | Should -BeLessOrEqual 100
            $message.BodyText | Should -BeLike '{"temperature":*,"humidity":*}'
            $message.SystemProperties.'content-type' | Should -Be 'application/json'
            $message.SystemProperties.'iothub-connection-device-id' | Should -Be $sender
            $message.SystemProperties.'iothub-message-source' | Should -Be 'Telemetry'
            $message.SystemProperties.'iothub-enqueuedtime' | Should -BeOfType [datetime]
            $message.EnqueuedTime | Should -BeGreaterThan (Get-Date).AddMinutes(-1)
            $message.Partition | Should -Match '^\d+$'
            [long] $message.Offset | Should -BeGreaterOrEqual 0
        }
        $messages.SequenceNumber | Should -Be @(0, 1, 2)   # the first three this device ever sent
        ($messages | Format-Table | Out-String) | Should -Match 'temperature'
    }

    It 'carries application properties, and gives a body that is not JSON as text' {
        $id = New-TestDeviceId 'props'
        New-IotDevice $id | Out-Null
        Send-TestTelemetry $id '{"level":3}' -Properties @{ temperatureAlert = 'true'; zone = 'A' } -ContentType 'application/json'
        Send-TestTelemetry $id 'plain words'

        $messages = Receive-IotTelemetry $id -StartPosition Earliest -Count 2 -Timeout 30

        $messages[0].Body.level | Should -Be 3
        $messages[0].Properties.temperatureAlert | Should -Be 'true'
        $messages[0].Properties.zone | Should -Be 'A'
        $messages[1].Body | Should -Be 'plain words'
        $messages[1].BodyText | Should -Be 'plain words'
        ($messages[1].Properties.PSObject.Properties | Measure-Object).Count | Should -Be 0
    }

    It 'reads only messages enqueued after it started by default (Latest)' {
        $old = Receive-IotTelemetry $sender -StartPosition Earliest -Count 2 -Timeout 30
        $before = Get-Date

        $new = Receive-IotTelemetry $sender -Count 2 -Timeout 30

        $new.Count | Should -Be 2
        $new | ForEach-Object {
            $_.EnqueuedTime | Should -BeGreaterOrEqual $before.AddMilliseconds(-2)
            $_.SequenceNumber | Should -BeGreaterThan ($old.SequenceNumber | Measure-Object -Maximum).Maximum
        }
    }

    It 'stops once caught up without -Count, -Timeout or -Wait; starts at an enqueued time or after an offset' {
        $id = New-TestDeviceId 'replay'
        New-IotDevice $id | Out-Null
        Send-TestTelemetry $id 'a', 'b', 'c'
        # Event Hubs positions carry enqueued times in whole milliseconds, and a send here takes well under one: keep
        # 'c' and 'd' out of $middle's millisecond so the start time falls cleanly between them (a clock-granularity
        # guard, not a wait for an event).
        Wait-NextMillisecond -Count 2
        $middle = Get-Date
        Wait-NextMillisecond -Count 2
        Send-TestTelemetry $id 'd', 'e'

        $all = Receive-IotTelemetry $id -StartPosition Earliest
        $all.BodyText | Should -Be @('a', 'b', 'c', 'd', 'e')

        $later = Receive-IotTelemetry $id -StartPosition $middle
        $later.BodyText | Should -Be @('d', 'e')

        $afterB = Receive-IotTelemetry $id -StartPosition $all[1].Offset -Partition $all[1].Partition
        $afterB.BodyText | Should -Be @('c', 'd', 'e')
    }

    It 'takes device ids from the pipeline by property name and keeps only their messages' {
        $messages = Get-SimulatedDevice $sender | Receive-IotTelemetry -Count 2 -Timeout 30
        $messages.DeviceId | Should -Be @($sender, $sender)
    }

    It 'reads one partition with -Partition, and refuses a partition the hub does not have' {
        $first = Receive-IotTelemetry $sender -StartPosition Earliest -Count 1 -Timeout 30
        $same = Receive-IotTelemetry $sender -StartPosition Earliest -Partition $first.Partition -Count 1 -Timeout 30
        $same.SequenceNumber | Should -Be $first.SequenceNumber

        $err = $null
        try { Receive-IotTelemetry -Partition 99 -Timeout 5 -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ReceiveIotTelemetryPartitionNotFound,*'
        $err.Exception.Message | Should -BeLike "*no partition '99'*"
    }

    It 'returns what arrived when -Timeout passes, without an error, and warns when fewer than -Count came' {
        $quiet = New-TestDeviceId 'quiet'
        $messages = Receive-IotTelemetry $quiet -Count 1 -Timeout 1 -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable errors
        $messages | Should -BeNullOrEmpty
        $errors | Should -BeNullOrEmpty
        $warnings | Should -Match 'Received 0 of 1 messages'

        $some = Receive-IotTelemetry $sender -Timeout 2 -ErrorVariable errors
        $errors | Should -BeNullOrEmpty
        $some.Count | Should -BeGreaterThan 0
    }

    It 'gives two devices with the same -Seed the same readings' {
        $a = New-TestDeviceId 'seed'
        $b = New-TestDeviceId 'seed'
        $a, $b | Start-SimulatedDevice -Create -Behavior Telemetry -TelemetryInterval '00:00:00.1' -Seed 42 | Out-Null

        $fromA = Receive-IotTelemetry $a -StartPosition Earliest -Count 3 -Timeout 30
        $fromB = Receive-IotTelemetry $b -StartPosition Earliest -Count 3 -Timeout 30

        $fromA.BodyText | Should -Be $fromB.BodyText
        Stop-SimulatedDevice $a, $b
    }
}

Describe 'Receive-IotTelemetry errors' {
    It 'refuses a malformed connection string with a stable id and a clear message, not a stack trace' {
        $err = $null
        try { Receive-IotTelemetry -EventHubConnectionString 'HostName=nope' -Timeout 5 -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ReceiveIotTelemetryInvalidConnectionString,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -BeLike '*Event Hubs-compatible connection string is not valid*'
        $err.Exception.Message | Should -Not -Match '\sat \S+\('
        $err.ErrorDetails.RecommendedAction | Should -BeLike '*Built-in endpoints*'
    }

    It 'refuses a wrong key as Unauthorized, as a SecureString too' {
        $bad = (Get-IotHubEventHubConnectionString -AsPlainText) -replace 'SharedAccessKey=[^;]+', 'SharedAccessKey=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='
        $err = $null
        try { Receive-IotTelemetry -EventHubConnectionString (ConvertTo-SecureString $bad -AsPlainText -Force) -Timeout 20 -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ReceiveIotTelemetryUnauthorized,*'
        $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
    }

    It 'says where nothing listens as ConnectionFailed' {
        $nowhere = (Get-IotHubEventHubConnectionString -AsPlainText) -replace 'sb://localhost:\d+/', 'sb://localhost:1/'
        $err = $null
        try { Receive-IotTelemetry -EventHubConnectionString $nowhere -Timeout 30 -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ReceiveIotTelemetryConnectionFailed,*'
        $err.CategoryInfo.Category | Should -Be 'ConnectionError'
    }

    It 'refuses an offset without -Partition, and a start position it cannot read' {
        { Receive-IotTelemetry -StartPosition 42 -Timeout 1 } | Should -Throw -ErrorId 'ReceiveIotTelemetryOffsetNeedsPartition,*'
        { Receive-IotTelemetry -StartPosition 'sometime' -Timeout 1 } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,*'
    }

    It 'asks for -EventHubConnectionString when the session is connected to a hub it did not start' {
        $own = $script:status.ServiceConnectionString
        if ($own -is [securestring]) { $own = ConvertFrom-SecureStringToText $own }
        # The same emulator under another host name looks, to the session, like a hub it did not start.
        Connect-IotHub -ConnectionString ($own -replace 'HostName=localhost', 'HostName=127.0.0.1') -CaCertificatePath $script:status.CaCertificatePath | Out-Null
        try {
            { Receive-IotTelemetry -Timeout 1 } | Should -Throw -ErrorId 'ReceiveIotTelemetryEventHubConnectionStringRequired,*'
        }
        finally {
            Connect-IotHub -ConnectionString $own -CaCertificatePath $script:status.CaCertificatePath | Out-Null
        }
    }
}

Describe 'Azure.Messaging.EventHubs in the session (what lab scripts use)' {
    It 'is the module''s own copy, in the default load context, and C# compiled in the session reads the emulator with it' {
        Receive-IotTelemetry -Timeout 0.5 | Out-Null   # loads the client, as any first use does
        $moduleDir = Split-Path (Get-Module IotLabKit).Path
        $type = [Azure.Messaging.EventHubs.Consumer.EventHubConsumerClient]
        $type.Assembly.Location | Should -Be (Join-Path $moduleDir 'Azure.Messaging.EventHubs.dll')
        [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($type.Assembly) | Should -Be ([Runtime.Loader.AssemblyLoadContext]::Default)

        # As a lab script would: compiled in this process against the module's assemblies, run against the emulator.
        $references = 'Azure.Messaging.EventHubs.dll', 'Azure.Core.dll' | ForEach-Object { Join-Path $moduleDir $_ }
        # CS1701 (the client was built against .NET 8's System.Runtime; this is .NET 10's) is only a warning.
        Add-Type -IgnoreWarnings -WarningAction SilentlyContinue -ReferencedAssemblies ($references + 'System.Runtime', 'System.Threading.Tasks', 'netstandard', 'System.Collections', 'System.Linq') -TypeDefinition @'
public static class LabOperatorProbe
{
    public static string[] PartitionIds(string connectionString)
    {
        var client = new Azure.Messaging.EventHubs.Consumer.EventHubConsumerClient(
            Azure.Messaging.EventHubs.Consumer.EventHubConsumerClient.DefaultConsumerGroupName, connectionString);
        try { return client.GetPartitionIdsAsync().GetAwaiter().GetResult(); }
        finally { client.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
    }
}
'@
        [LabOperatorProbe]::PartitionIds((Get-IotHubEventHubConnectionString -AsPlainText)) | Should -Be @('0', '1', '2', '3')
    }
}
