extern alias DeviceSdk;
using System.Text;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Consumer;
using IotLabKit.IntegrationTests.Devices;
using DeviceSdk::IotLabKit.Device;

namespace IotLabKit.IntegrationTests.Amqp;

/// <summary>
/// The built-in Event Hubs-compatible endpoint read by Microsoft's unmodified <see cref="EventHubConsumerClient"/>
/// (Azure.Messaging.EventHubs) over AMQP, with telemetry sent by our device client over MQTT.
/// </summary>
public sealed class EventHubEndpointTests(DeviceHubFixture hub) : IClassFixture<DeviceHubFixture>
{
    private static readonly EventHubConsumerClientOptions NoRetries = new()
    {
        RetryOptions = new EventHubsRetryOptions { MaximumRetries = 0, TryTimeout = TimeSpan.FromSeconds(30) },
    };

    private EventHubConsumerClient NewConsumer(string? connectionString = null)
        => new(EventHubConsumerClient.DefaultConsumerGroupName, connectionString ?? hub.Emulator.Status.EventHubConnectionString, NoRetries);

    private async Task SendAsync(DeviceClient client, string body, string? alert = null)
    {
        using var message = new Message(Encoding.UTF8.GetBytes(body)) { MessageId = body, ContentType = "application/json", ContentEncoding = "utf-8" };
        if (alert is not null) message.Properties["alert"] = alert;
        await client.SendEventAsync(message);
    }

    [Fact]
    public async Task Partition_ids_and_properties_come_from_the_telemetry_store()
    {
        await using var consumer = NewConsumer();
        var ids = await consumer.GetPartitionIdsAsync();
        Assert.Equal(["0", "1", "2", "3"], ids);
        var properties = await consumer.GetEventHubPropertiesAsync();
        Assert.Equal(hub.Emulator.Status.HubName, properties.Name);
        Assert.Equal(ids, properties.PartitionIds);

        var (id, key) = await hub.CreateDeviceAsync("eh");
        await using var client = hub.NewClient(id, key);
        var before = await Task.WhenAll(ids.Select(p => consumer.GetPartitionPropertiesAsync(p)));
        await SendAsync(client, """{"p":1}""");
        var after = await Task.WhenAll(ids.Select(p => consumer.GetPartitionPropertiesAsync(p)));
        var changed = Enumerable.Range(0, ids.Length).Where(i => after[i].LastEnqueuedSequenceNumber != before[i].LastEnqueuedSequenceNumber).ToList();
        var written = after[Assert.Single(changed)];
        Assert.Equal(before[changed[0]].LastEnqueuedSequenceNumber + 1, written.LastEnqueuedSequenceNumber);
        Assert.False(written.IsEmpty);
        Assert.True(written.LastEnqueuedTime > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.True(long.Parse(written.LastEnqueuedOffsetString, System.Globalization.CultureInfo.InvariantCulture) >= 0);
    }

    [Fact]
    public async Task A_consumer_reads_body_application_properties_and_hub_stamps_from_the_earliest_event()
    {
        var (id, key) = await hub.CreateDeviceAsync("eh");
        await using (var client = hub.NewClient(id, key))
        {
            await SendAsync(client, """{"n":0}""");
            await SendAsync(client, """{"n":1}""", alert: "yes please");
        }

        await using var consumer = NewConsumer();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var mine = new List<EventData>();
        await foreach (var partitionEvent in consumer.ReadEventsAsync(startReadingAtEarliestEvent: true, cancellationToken: cts.Token))
        {
            if (partitionEvent.Data.SystemProperties.TryGetValue("iothub-connection-device-id", out var device) && (string)device == id)
                mine.Add(partitionEvent.Data);
            if (mine.Count == 2) break;
        }

        Assert.Equal(["""{"n":0}""", """{"n":1}"""], mine.Select(e => e.EventBody.ToString()));
        var second = mine[1];
        Assert.Equal("yes please", second.Properties["alert"]);
        Assert.Equal("""{"n":1}""", second.MessageId);
        Assert.Equal("application/json", second.ContentType);
        Assert.Equal("Telemetry", second.SystemProperties["iothub-message-source"]);
        Assert.Equal(id, second.SystemProperties["iothub-connection-device-id"]);
        var enqueued = Assert.IsType<DateTime>(second.SystemProperties["iothub-enqueuedtime"]);
        Assert.True(enqueued > DateTime.UtcNow.AddMinutes(-5));
        Assert.Equal(mine[0].SequenceNumber + 1, second.SequenceNumber);
        Assert.True(second.EnqueuedTime >= mine[0].EnqueuedTime);
    }

    [Fact]
    public async Task Reading_a_partition_from_an_offset_a_sequence_number_or_an_enqueued_time_starts_where_asked()
    {
        var (id, key) = await hub.CreateDeviceAsync("eh");
        await using (var client = hub.NewClient(id, key))
            for (var i = 0; i < 3; i++) await SendAsync(client, $$"""{"k":{{i}}}""");

        await using var consumer = NewConsumer();
        var all = await ReadDeviceAsync(consumer, id, EventPosition.Earliest, 3);
        var partition = all[0].Partition;
        var first = all[0].Data;

        var afterOffset = await ReadDeviceAsync(consumer, id, EventPosition.FromOffset(first.OffsetString, isInclusive: false), 2, partition);
        Assert.Equal(["""{"k":1}""", """{"k":2}"""], afterOffset.Select(e => e.Data.EventBody.ToString()));
        var atOffset = await ReadDeviceAsync(consumer, id, EventPosition.FromOffset(first.OffsetString, isInclusive: true), 1, partition);
        Assert.Equal("""{"k":0}""", atOffset[0].Data.EventBody.ToString());
        var fromSequence = await ReadDeviceAsync(consumer, id, EventPosition.FromSequenceNumber(first.SequenceNumber + 2, isInclusive: true), 1, partition);
        Assert.Equal("""{"k":2}""", fromSequence[0].Data.EventBody.ToString());
        var fromTime = await ReadDeviceAsync(consumer, id, EventPosition.FromEnqueuedTime(first.EnqueuedTime), 1, partition);
        Assert.Equal(first.SequenceNumber, fromTime[0].Data.SequenceNumber);
    }

    [Fact]
    public async Task A_consumer_reading_from_latest_gets_only_what_is_sent_after_it_started()
    {
        var (id, key) = await hub.CreateDeviceAsync("eh");
        await using var client = hub.NewClient(id, key);
        await SendAsync(client, "before");

        await using var consumer = NewConsumer();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new List<string>();
        var reading = Task.Run(async () =>
        {
            var options = new ReadEventOptions { MaximumWaitTime = TimeSpan.FromMilliseconds(200) };
            await foreach (var partitionEvent in consumer.ReadEventsAsync(startReadingAtEarliestEvent: false, options, cts.Token))
            {
                if (partitionEvent.Data is { } data && data.SystemProperties.TryGetValue("iothub-connection-device-id", out var device) && (string)device == id)
                {
                    lock (seen) seen.Add(data.EventBody.ToString());
                    return;
                }
            }
        });
        // The reader's links attach asynchronously: keep sending until it has seen one (each send is awaited; no sleeps).
        for (var i = 0; !reading.IsCompleted; i++)
        {
            await SendAsync(client, $"after-{i}");
            await Task.WhenAny(reading, Task.Delay(250, cts.Token));
        }
        await reading;
        Assert.StartsWith("after-", Assert.Single(seen));
    }

    [Fact]
    public async Task Over_AMQPS_a_consumer_trusting_the_emulators_CA_reads_the_same_endpoint()
    {
        var status = hub.Emulator.Status;
        using var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(status.CaCertificatePath));
        var tls = $"Endpoint=sb://localhost/;SharedAccessKeyName=service;SharedAccessKey={status.Policies["service"]};EntityPath={status.HubName}";
        var validated = false;
        var options = new EventHubConsumerClientOptions
        {
            RetryOptions = NoRetries.RetryOptions,
            ConnectionOptions = new EventHubConnectionOptions
            {
                // Without UseDevelopmentEmulator the client dials 5671 whatever the Endpoint says; a custom address moves it.
                CustomEndpointAddress = new Uri($"amqps://localhost:{status.AmqpsPort}"),
                CertificateValidationCallback = (_, certificate, _, _) =>
                {
                    using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
                    chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    validated = certificate is not null && chain.Build(new System.Security.Cryptography.X509Certificates.X509Certificate2(certificate));
                    return validated;
                },
            },
        };
        await using var consumer = new EventHubConsumerClient(EventHubConsumerClient.DefaultConsumerGroupName, tls, options);
        Assert.Equal(["0", "1", "2", "3"], await consumer.GetPartitionIdsAsync());
        Assert.True(validated);
    }

    [Fact]
    public async Task Bad_credentials_and_a_policy_without_ServiceConnect_are_refused()
    {
        var good = hub.Emulator.Status.EventHubConnectionString;
        var wrongKey = System.Text.RegularExpressions.Regex.Replace(good, "SharedAccessKey=[^;]+", "SharedAccessKey=" + Convert.ToBase64String(new byte[32]));
        await using (var consumer = NewConsumer(wrongKey))
            await Assert.ThrowsAsync<UnauthorizedAccessException>(() => consumer.GetPartitionIdsAsync());

        var registryRead = System.Text.RegularExpressions.Regex.Replace(good, "SharedAccessKeyName=[^;]+;SharedAccessKey=[^;]+",
            $"SharedAccessKeyName=registryRead;SharedAccessKey={hub.Emulator.Status.Policies["registryRead"]}");
        await using (var consumer = NewConsumer(registryRead))
            await Assert.ThrowsAsync<UnauthorizedAccessException>(() => consumer.GetPartitionIdsAsync());
    }

    private static async Task<List<PartitionEvent>> ReadDeviceAsync(EventHubConsumerClient consumer, string deviceId, EventPosition position, int count, PartitionContext? partition = null)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var found = new List<PartitionEvent>();
        var partitions = partition is null ? await consumer.GetPartitionIdsAsync(cts.Token) : [partition.PartitionId];
        var readers = partitions.Select(async p =>
        {
            await foreach (var e in consumer.ReadEventsFromPartitionAsync(p, position, cts.Token))
            {
                if (e.Data.SystemProperties.TryGetValue("iothub-connection-device-id", out var d) && (string)d == deviceId)
                {
                    lock (found) { found.Add(e); if (found.Count >= count) { cts.Cancel(); return; } }
                }
            }
        }).ToList();
        try { await Task.WhenAll(readers); } catch (OperationCanceledException) { }
        return found.OrderBy(e => e.Data.SequenceNumber).Take(count).ToList();
    }
}
