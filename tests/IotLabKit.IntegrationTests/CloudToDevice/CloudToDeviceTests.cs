extern alias DeviceSdk;
using System.Net;
using System.Text;
using System.Threading.Channels;
using IotLabKit.IntegrationTests.Devices;
using IotLabKit.Protocol;
using IotLabKit.Service;
using MQTTnet;
using MQTTnet.Protocol;
using DeviceSdk::IotLabKit.Device;
using ServiceMessage = IotLabKit.Service.Message;
using UnauthorizedException = IotLabKit.Service.UnauthorizedException;
using DeviceNotFoundException = IotLabKit.Service.DeviceNotFoundException;

namespace IotLabKit.IntegrationTests.CloudToDevice;

/// <summary>
/// Cloud-to-device messages end to end against a real emulator: our service client sends over AMQPS (CBS
/// put-token), devices receive over MQTT (our device client, or a raw MQTTnet client for the wire rules), and
/// feedback comes back on the AMQP feedback link.
/// </summary>
public sealed class CloudToDeviceTests(DeviceHubFixture hub) : IClassFixture<DeviceHubFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_message_reaches_the_device_with_its_properties_and_positive_feedback_follows()
    {
        var (id, key) = await hub.CreateDeviceAsync("c2d");
        await using var service = NewServiceClient();
        using var sent = new ServiceMessage("""{"fan":"on"}""")
        {
            MessageId = "m-" + Guid.NewGuid().ToString("N"),
            CorrelationId = "corr/1",
            ContentType = "application/json",
            ContentEncoding = "utf-8",
            Ack = DeliveryAcknowledgement.Full,
        };
        sent.Properties["level"] = "high & low";
        await service.SendAsync(id, sent);
        Assert.Equal(1, await CountAsync(id));

        await using var device = hub.NewClient(id, key);
        var received = await device.ReceiveAsync(Wait);
        Assert.NotNull(received);
        Assert.Equal("""{"fan":"on"}""", Encoding.UTF8.GetString(received.GetBytes()));
        Assert.Equal(sent.MessageId, received.MessageId);
        Assert.Equal("corr/1", received.CorrelationId);
        Assert.Equal("application/json", received.ContentType);
        Assert.Equal("utf-8", received.ContentEncoding);
        Assert.Equal($"/devices/{id}/messages/devicebound", received.To);
        Assert.Equal("high & low", received.Properties["level"]);
        Assert.Equal("full", received.Properties["iothub-ack"]);

        var record = await FeedbackForAsync(service, sent.MessageId);
        Assert.Equal(FeedbackStatusCode.Success, record.StatusCode);
        Assert.Equal(id, record.DeviceId);
        Assert.Equal("Success", record.Description);
        Assert.True(record.EnqueuedTimeUtc > DateTime.UtcNow.AddMinutes(-5));
        Assert.Equal(0, await CountAsync(id));
    }

    [Fact]
    public async Task The_51st_queued_message_is_refused_with_403004_and_a_purge_empties_the_queue()
    {
        var (id, _) = await hub.CreateDeviceAsync("c2d");
        await using var service = NewServiceClient();
        for (var i = 0; i < 50; i++) await service.SendAsync(id, new ServiceMessage($"m{i}"));
        var refused = await Assert.ThrowsAsync<DeviceMaximumQueueDepthExceededException>(() => service.SendAsync(id, new ServiceMessage("one too many")));
        Assert.Equal(IotHubErrorCode.DeviceMaximumQueueDepthExceeded, refused.ErrorCode);
        Assert.Equal(403, refused.StatusCode);
        Assert.Equal(50, await CountAsync(id));

        using var purge = await hub.SendAsync(HttpMethod.Delete, $"/devices/{id}/commands");
        var answer = await EmulatorFixture.ReadOkAsync(purge);
        Assert.Equal(50, (int)answer["totalMessagesPurged"]!);
        Assert.Equal(id, (string?)answer["deviceId"]);
        Assert.Equal(0, await CountAsync(id));
        await service.SendAsync(id, new ServiceMessage("room again"));
        Assert.Equal(1, await CountAsync(id));
    }

    [Fact]
    public async Task Purging_gives_Purged_feedback_to_messages_that_asked_and_an_unknown_device_is_404()
    {
        var (id, _) = await hub.CreateDeviceAsync("c2d");
        await using var service = NewServiceClient();
        var asked = new ServiceMessage("a") { MessageId = "p-" + Guid.NewGuid().ToString("N"), Ack = DeliveryAcknowledgement.NegativeOnly };
        await service.SendAsync(id, asked);
        await service.SendAsync(id, new ServiceMessage("b") { Ack = DeliveryAcknowledgement.PositiveOnly });
        var result = await service.PurgeMessageQueueAsync(id);
        Assert.Equal(2, result.TotalMessagesPurged);
        Assert.Equal(FeedbackStatusCode.Purged, (await FeedbackForAsync(service, asked.MessageId)).StatusCode);

        await Assert.ThrowsAsync<DeviceNotFoundException>(() => service.PurgeMessageQueueAsync("no-such-" + Guid.NewGuid().ToString("N")[..8]));
        var unknown = await Assert.ThrowsAsync<DeviceNotFoundException>(() => service.SendAsync("no-such-device", new ServiceMessage("x")));
        Assert.Equal(404, unknown.StatusCode);
    }

    [Fact]
    public async Task A_message_that_expires_in_the_queue_gives_Expired_feedback()
    {
        var (id, _) = await hub.CreateDeviceAsync("c2d");
        await using var service = NewServiceClient();
        var brief = new ServiceMessage("soon gone")
        {
            MessageId = "e-" + Guid.NewGuid().ToString("N"),
            Ack = DeliveryAcknowledgement.NegativeOnly,
            ExpiryTimeUtc = DateTime.UtcNow.AddSeconds(2),
        };
        await service.SendAsync(id, brief);
        var record = await FeedbackForAsync(service, brief.MessageId);
        Assert.Equal(FeedbackStatusCode.Expired, record.StatusCode);
        Assert.Equal("Message expired", record.Description);
        Assert.Equal(0, await CountAsync(id));
    }

    [Fact]
    public async Task A_persistent_session_device_that_drops_before_PUBACK_gets_the_message_again_and_PUBACK_completes_it()
    {
        var (id, key) = await hub.CreateDeviceAsync("c2d");
        await using var service = NewServiceClient();
        var inbox = Channel.CreateUnbounded<MqttApplicationMessageReceivedEventArgs>();
        using var raw = NewRawClient(inbox, ackAutomatically: false);
        var options = RawOptions(id, key, cleanSession: false);
        await raw.ConnectAsync(options);
        await raw.SubscribeAsync($"devices/{id}/messages/devicebound/#", MqttQualityOfServiceLevel.AtLeastOnce);

        var sent = new ServiceMessage("twice") { MessageId = "r-" + Guid.NewGuid().ToString("N"), Ack = DeliveryAcknowledgement.PositiveOnly };
        await service.SendAsync(id, sent);
        var first = await inbox.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, first.ApplicationMessage.QualityOfServiceLevel);
        Assert.StartsWith($"devices/{id}/messages/devicebound/%24.mid={sent.MessageId}&", first.ApplicationMessage.Topic);
        Assert.Contains("&%24.to=%2Fdevices%2F" + id + "%2Fmessages%2Fdevicebound&", first.ApplicationMessage.Topic);
        await raw.DisconnectAsync(); // no PUBACK

        var again = await raw.ConnectAsync(options);
        Assert.True(again.IsSessionPresent);
        var second = await inbox.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        Assert.Equal(first.ApplicationMessage.Topic, second.ApplicationMessage.Topic);
        Assert.Equal("twice", Encoding.UTF8.GetString(second.ApplicationMessage.Payload));
        await second.AcknowledgeAsync(CancellationToken.None);
        Assert.Equal(FeedbackStatusCode.Success, (await FeedbackForAsync(service, sent.MessageId)).StatusCode);
        Assert.False(inbox.Reader.TryRead(out _));
        await raw.DisconnectAsync();
    }

    [Fact]
    public async Task A_message_queued_while_a_clean_session_device_was_away_arrives_once_it_subscribes()
    {
        var (id, key) = await hub.CreateDeviceAsync("c2d");
        await using var service = NewServiceClient();
        await service.SendAsync(id, new ServiceMessage("waiting") { MessageId = "w1" });
        var inbox = Channel.CreateUnbounded<MqttApplicationMessageReceivedEventArgs>();
        using var raw = NewRawClient(inbox, ackAutomatically: true);
        await raw.ConnectAsync(RawOptions(id, key, cleanSession: true));
        Assert.False(inbox.Reader.TryRead(out _));
        await raw.SubscribeAsync($"devices/{id}/messages/devicebound/#", MqttQualityOfServiceLevel.AtLeastOnce);
        var delivered = await inbox.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        Assert.Equal("waiting", Encoding.UTF8.GetString(delivered.ApplicationMessage.Payload));
        await raw.DisconnectAsync();
    }

    [Fact]
    public async Task A_message_delivered_ten_times_without_PUBACK_is_dead_lettered_with_DeliveryCountExceeded()
    {
        var (id, key) = await hub.CreateDeviceAsync("c2d");
        await using var service = NewServiceClient();
        var sent = new ServiceMessage("never acked") { MessageId = "d-" + Guid.NewGuid().ToString("N"), Ack = DeliveryAcknowledgement.Full };
        await service.SendAsync(id, sent);
        var inbox = Channel.CreateUnbounded<MqttApplicationMessageReceivedEventArgs>();
        using var raw = NewRawClient(inbox, ackAutomatically: false);
        var options = RawOptions(id, key, cleanSession: false);
        for (var delivery = 1; delivery <= 10; delivery++)
        {
            await raw.ConnectAsync(options);
            if (delivery == 1) await raw.SubscribeAsync($"devices/{id}/messages/devicebound/#", MqttQualityOfServiceLevel.AtLeastOnce);
            var message = await inbox.Reader.ReadAsync().AsTask().WaitAsync(Wait);
            Assert.Equal("never acked", Encoding.UTF8.GetString(message.ApplicationMessage.Payload));
            await raw.DisconnectAsync();
        }
        var record = await FeedbackForAsync(service, sent.MessageId);
        Assert.Equal(FeedbackStatusCode.DeliveryCountExceeded, record.StatusCode);
        Assert.Equal(0, await CountAsync(id));

        // Nothing is left to deliver.
        await raw.ConnectAsync(options);
        await service.SendAsync(id, new ServiceMessage("next"));
        var next = await inbox.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        Assert.Equal("next", Encoding.UTF8.GetString(next.ApplicationMessage.Payload));
        await raw.DisconnectAsync();
    }

    [Fact]
    public async Task Bad_credentials_and_a_policy_without_ServiceConnect_are_refused_on_AMQP()
    {
        var (id, _) = await hub.CreateDeviceAsync("c2d");
        var wrongKey = new IotHubConnectionString
        {
            HostName = hub.Emulator.HostNameWithPort,
            SharedAccessKeyName = "service",
            SharedAccessKey = Convert.ToBase64String(new byte[32]),
            UseDevelopmentEmulator = true,
        }.ToString();
        await using (var bad = NewServiceClient(wrongKey))
            await Assert.ThrowsAsync<UnauthorizedException>(() => bad.SendAsync(id, new ServiceMessage("x")));
        await using (var reader = NewServiceClient(hub.Emulator.ConnectionString("registryRead")))
        {
            var refused = await Assert.ThrowsAsync<UnauthorizedException>(() => reader.SendAsync(id, new ServiceMessage("x")));
            Assert.Contains("ServiceConnect", refused.Message);
            await Assert.ThrowsAsync<UnauthorizedException>(() => reader.GetFeedbackReceiver().ReceiveAsync(Wait));
        }
        Assert.Equal(0, await CountAsync(id));
    }

    private ServiceClient NewServiceClient(string? connectionString = null)
        => ServiceClient.CreateFromConnectionString(connectionString ?? hub.Emulator.ConnectionString("service"),
            new ServiceClientOptions { CaCertificatePath = hub.CaPath, AmqpsPort = hub.Emulator.Status.AmqpsPort });

    private async Task<int> CountAsync(string id) => (int)(await hub.GetJsonAsync($"/devices/{id}"))["cloudToDeviceMessageCount"]!;

    /// <summary>Reads feedback batches (completing them) until the record for <paramref name="messageId"/> comes.</summary>
    internal static async Task<FeedbackRecord> FeedbackForAsync(ServiceClient service, string? messageId)
    {
        var receiver = service.GetFeedbackReceiver();
        using var cts = new CancellationTokenSource(Wait);
        while (true)
        {
            var batch = await receiver.ReceiveAsync(cts.Token);
            await receiver.CompleteAsync(batch);
            if (batch.Records.FirstOrDefault(r => r.OriginalMessageId == messageId) is { } record) return record;
        }
    }

    private static IMqttClient NewRawClient(Channel<MqttApplicationMessageReceivedEventArgs> inbox, bool ackAutomatically)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            e.AutoAcknowledge = ackAutomatically;
            inbox.Writer.TryWrite(e);
            return Task.CompletedTask;
        };
        return client;
    }

    private MqttClientOptions RawOptions(string id, string key, bool cleanSession)
    {
        var roots = EmulatorTrust.LoadCa(hub.CaPath);
        return new MqttClientOptionsBuilder()
            .WithTcpServer("localhost", hub.Emulator.Status.MqttPort)
            .WithClientId(id)
            .WithCredentials($"{hub.Emulator.HostNameWithPort}/{id}/?api-version=2021-04-12",
                SharedAccessSignature.Create($"{hub.Emulator.HostNameWithPort}/devices/{id}", key, null, DateTimeOffset.UtcNow.AddHours(1)))
            .WithCleanSession(cleanSession)
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311)
            .WithTlsOptions(tls => tls.UseTls(true).WithTargetHost("localhost")
                .WithCertificateValidationHandler(a => EmulatorTrust.Validate(a.Certificate, a.SslPolicyErrors, roots)))
            .Build();
    }
}
