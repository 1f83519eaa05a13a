extern alias DeviceSdk;
using System.Text;
using IotLabKit.Service;
using IotLabKit.Testing;
using MQTTnet;
using MQTTnet.Protocol;
using DeviceSdk::IotLabKit.Device;
using Message = DeviceSdk::IotLabKit.Device.Message;

namespace IotLabKit.IntegrationTests.Devices;

/// <summary>Telemetry end to end: our device client sends, the emulator stores, <see cref="TelemetryReader"/> reads.</summary>
public sealed class DeviceTelemetryTests(DeviceHubFixture hub) : IClassFixture<DeviceHubFixture>
{
    [Fact]
    public async Task Sent_messages_come_back_with_body_properties_and_hub_stamps_in_order()
    {
        var (id, key) = await hub.CreateDeviceAsync("tel");
        var start = DateTimeOffset.UtcNow.AddSeconds(-1);
        await using var client = hub.NewClient(id, key);
        for (var i = 0; i < 3; i++)
        {
            using var message = new Message(Encoding.UTF8.GetBytes($$"""{"n":{{i}}}"""))
            {
                MessageId = $"m-{i}",
                CorrelationId = "c-1",
                ContentType = "application/json",
                ContentEncoding = "utf-8",
            };
            message.Properties["alert"] = i == 2 ? "yes please" : "no";
            await client.SendEventAsync(message);
        }

        using var reader = TelemetryReader.CreateFromConnectionString(hub.Emulator.ConnectionString("service"), new ServiceClientOptions { CaCertificatePath = hub.CaPath });
        var page = await reader.ReadPageAsync(TelemetryStartPosition.FromEnqueuedTime(start));
        var mine = page.Messages.Where(m => m.DeviceId == id).ToList();
        Assert.Equal(3, mine.Count);
        Assert.Equal(["m-0", "m-1", "m-2"], mine.Select(m => m.MessageId));
        Assert.Equal("""{"n":2}""", mine[2].GetBodyAsString());
        Assert.Equal("yes please", mine[2].Properties["alert"]);
        Assert.Equal("application/json", mine[2].ContentType);
        Assert.Equal("utf-8", mine[2].ContentEncoding);
        Assert.Equal("c-1", mine[2].CorrelationId);
        Assert.Equal(id, mine[2].SystemProperties["iothub-connection-device-id"]);
        Assert.Equal("Telemetry", mine[2].SystemProperties["iothub-message-source"]);
        Assert.Contains("\"type\":\"sas\"", mine[2].SystemProperties["iothub-connection-auth-method"]);
        Assert.Single(mine.Select(m => m.Partition).Distinct());
        Assert.Equal(mine[0].SequenceNumber + 1, mine[1].SequenceNumber);
        Assert.Equal(mine[1].SequenceNumber + 1, mine[2].SequenceNumber);
        Assert.True(long.Parse(mine[1].Offset) > long.Parse(mine[0].Offset));
        Assert.True(mine[0].EnqueuedTimeUtc >= start);
        Assert.Equal(4, page.PartitionCount);

        var device = await hub.GetJsonAsync($"/devices/{id}");
        Assert.True(DateTimeOffset.Parse((string)device["lastActivityTime"]!) >= start);
    }

    [Fact]
    public async Task A_waiting_reader_gets_messages_as_they_arrive_and_a_cursor_continues_without_gaps()
    {
        var (id, key) = await hub.CreateDeviceAsync("tel");
        using var reader = TelemetryReader.CreateFromConnectionString(hub.Emulator.ConnectionString(), new ServiceClientOptions { CaCertificatePath = hub.CaPath });
        await using var client = hub.NewClient(id, key);
        await client.OpenAsync();

        // "Now" is fixed by the first read: everything sent after it follows the cursor it returns.
        var now = await reader.ReadPageAsync(TelemetryStartPosition.Now);
        Assert.Empty(now.Messages);

        // A reader already waiting (long poll) is woken by the messages.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var streamed = new List<string>();
        var reading = Task.Run(async () =>
        {
            await foreach (var message in reader.ReadAsync(TelemetryStartPosition.FromEnqueuedTime(DateTimeOffset.UtcNow.AddSeconds(-1)), cancellationToken: cts.Token))
            {
                if (message.DeviceId != id) continue;
                streamed.Add(message.GetBodyAsString());
                if (streamed.Count == 5) break;
            }
        });
        for (var i = 0; i < 5; i++)
        {
            using var message = new Message(Encoding.UTF8.GetBytes($"m{i}"));
            await client.SendEventAsync(message);
        }
        await reading.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(["m0", "m1", "m2", "m3", "m4"], streamed);

        var page = await reader.ReadPageAsync(TelemetryStartPosition.Now, now.Cursor);
        Assert.Equal(["m0", "m1", "m2", "m3", "m4"], page.Messages.Where(m => m.DeviceId == id).Select(m => m.GetBodyAsString()));
        var after = await reader.ReadPageAsync(TelemetryStartPosition.Now, page.Cursor);
        Assert.DoesNotContain(after.Messages, m => m.DeviceId == id);
    }

    [Fact]
    public async Task Qos0_and_qos1_are_stored_and_an_oversized_message_closes_the_connection()
    {
        var (id, key) = await hub.CreateDeviceAsync("tel");
        var factory = new MqttClientFactory();
        using var client = factory.CreateMqttClient();
        var dropped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.DisconnectedAsync += _ => { dropped.TrySetResult(); return Task.CompletedTask; };
        await client.ConnectAsync(hub.RawOptions(id, key));
        var start = DateTimeOffset.UtcNow.AddSeconds(-1);
        var acked = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"devices/{id}/messages/events/%24.mid=q1&flag")
            .WithPayload("one").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.True(acked.IsSuccess);
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"devices/{id}/messages/events/")
            .WithPayload("zero").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtMostOnce).Build());

        using var reader = TelemetryReader.CreateFromConnectionString(hub.Emulator.ConnectionString(), new ServiceClientOptions { CaCertificatePath = hub.CaPath });
        var mine = new List<Service.TelemetryMessage>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var m in reader.ReadAsync(TelemetryStartPosition.FromEnqueuedTime(start), cancellationToken: cts.Token))
        {
            if (m.DeviceId == id) mine.Add(m);
            if (mine.Count == 2) break;
        }
        Assert.Equal(["one", "zero"], mine.Select(m => m.GetBodyAsString()));
        Assert.Equal("q1", mine[0].MessageId);
        Assert.True(mine[0].Properties.ContainsKey("flag"));
        Assert.Null(mine[0].Properties["flag"]);

        try
        {
            await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"devices/{id}/messages/events/")
                .WithPayload(new byte[256 * 1024 + 1]).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
        {
        }
        await dropped.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Acknowledged_telemetry_survives_a_kill_and_restart()
    {
        await using var emulator = await EmulatorProcess.StartAsync();
        using var http = emulator.CreateHttpClient();
        var id = "durable-" + Guid.NewGuid().ToString("N")[..8];
        var create = new HttpRequestMessage(HttpMethod.Put, $"/devices/{id}?api-version=2021-04-12")
        {
            Content = new StringContent($$"""{"deviceId":"{{id}}"}""", Encoding.UTF8, "application/json"),
        };
        create.Headers.TryAddWithoutValidation("Authorization", emulator.CreateServiceToken());
        using var created = await http.SendAsync(create);
        var key = (string)(await EmulatorFixture.ReadOkAsync(created))["authentication"]!["symmetricKey"]!["primaryKey"]!;
        await using (var client = DeviceClient.CreateFromConnectionString(emulator.DeviceConnectionString(id, key), TransportType.Mqtt,
                         new DeviceClientOptions { CaCertificatePath = emulator.Status.CaCertificatePath }))
        {
            for (var i = 0; i < 10; i++)
            {
                using var message = new Message(Encoding.UTF8.GetBytes($"kept-{i}"));
                await client.SendEventAsync(message);
            }
        }
        await emulator.KillAsync();
        await emulator.RestartAsync();
        using var reader = TelemetryReader.CreateFromConnectionString(emulator.ConnectionString(), new ServiceClientOptions { CaCertificatePath = emulator.Status.CaCertificatePath });
        var page = await reader.ReadPageAsync(TelemetryStartPosition.Earliest);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"kept-{i}"), page.Messages.Where(m => m.DeviceId == id).Select(m => m.GetBodyAsString()));
    }

    [Fact]
    public void The_reader_refuses_a_real_hub_with_guidance()
    {
        var ex = Assert.Throws<NotSupportedException>(() => TelemetryReader.CreateFromConnectionString(
            "HostName=myhub.azure-devices.net;SharedAccessKeyName=service;SharedAccessKey=" + Convert.ToBase64String(new byte[32])));
        Assert.Contains("Event Hubs", ex.Message);
    }
}
