extern alias DeviceSdk;
using System.Text;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Consumer;
using IotLabKit.IntegrationTests.Devices;
using IotLabKit.Protocol;
using IotLabKit.Service;
using IotLabKit.Testing;
using DeviceSdk::IotLabKit.Device;
using Message = DeviceSdk::IotLabKit.Device.Message;

namespace IotLabKit.IntegrationTests.Amqp;

/// <summary>
/// Consumer groups of the Event Hubs-compatible endpoint: created through the emulator's own REST routes
/// (<see cref="EmulatorClient"/>), read by Microsoft's unmodified <see cref="EventHubConsumerClient"/>, refused as Event
/// Hubs refuses an unknown group, and kept in the hub's SQLite store.
/// </summary>
public sealed class ConsumerGroupTests(DeviceHubFixture hub) : IClassFixture<DeviceHubFixture>
{
    private static readonly EventHubConsumerClientOptions NoRetries = new()
    {
        RetryOptions = new EventHubsRetryOptions { MaximumRetries = 0, TryTimeout = TimeSpan.FromSeconds(30) },
    };

    private EmulatorClient NewEmulatorClient(string policy = "iothubowner", EmulatorProcess? emulator = null)
    {
        emulator ??= hub.Emulator;
        return EmulatorClient.CreateFromConnectionString(emulator.ConnectionString(policy), new ServiceClientOptions { CaCertificatePath = emulator.Status.CaCertificatePath });
    }

    private static string NewGroupName() => "cg-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task A_created_group_is_read_by_an_unmodified_consumer_independently_of_Default()
    {
        using var emulator = NewEmulatorClient();
        var name = NewGroupName();
        var created = await emulator.CreateConsumerGroupAsync(name);
        Assert.Equal(name, created.Name);
        Assert.True(created.Properties.Created > DateTime.UtcNow.AddMinutes(-5));
        Assert.Contains(await emulator.GetConsumerGroupsAsync(), g => g.Name == name);

        var (id, key) = await hub.CreateDeviceAsync("cg");
        await using (var client = hub.NewClient(id, key))
            for (var i = 0; i < 2; i++)
            {
                using var message = new Message(Encoding.UTF8.GetBytes($"m{i}"));
                await client.SendEventAsync(message);
            }

        // Each group sees every message: one group's readers take nothing from another's. Names ignore case.
        await using var inGroup = new EventHubConsumerClient(name.ToUpperInvariant(), hub.Emulator.Status.EventHubConnectionString, NoRetries);
        await using var inDefault = new EventHubConsumerClient(EventHubConsumerClient.DefaultConsumerGroupName, hub.Emulator.Status.EventHubConnectionString, NoRetries);
        var fromGroup = await ReadDeviceAsync(inGroup, id, 2);
        var fromDefault = await ReadDeviceAsync(inDefault, id, 2);
        Assert.Equal(["m0", "m1"], fromGroup);
        Assert.Equal(["m0", "m1"], fromDefault);
    }

    [Fact]
    public async Task An_unknown_group_is_refused_as_ResourceNotFound_and_so_is_a_deleted_one()
    {
        await using (var unknown = new EventHubConsumerClient("nosuchgroup", hub.Emulator.Status.EventHubConnectionString, NoRetries))
        {
            var ex = await Assert.ThrowsAsync<EventHubsException>(() => ReadOneAsync(unknown));
            Assert.Equal(EventHubsException.FailureReason.ResourceNotFound, ex.Reason);
            Assert.False(ex.IsTransient);
            Assert.Contains("nosuchgroup", ex.Message, StringComparison.Ordinal);
        }

        using var emulator = NewEmulatorClient();
        var name = NewGroupName();
        await emulator.CreateConsumerGroupAsync(name);
        await emulator.DeleteConsumerGroupAsync(name);
        Assert.DoesNotContain(await emulator.GetConsumerGroupsAsync(), g => g.Name == name);
        await using var deleted = new EventHubConsumerClient(name, hub.Emulator.Status.EventHubConnectionString, NoRetries);
        var again = await Assert.ThrowsAsync<EventHubsException>(() => ReadOneAsync(deleted));
        Assert.Equal(EventHubsException.FailureReason.ResourceNotFound, again.Reason);
    }

    [Fact]
    public async Task Names_follow_Event_Hubs_rules_Default_stays_and_create_is_idempotent()
    {
        using var emulator = NewEmulatorClient();
        foreach (var bad in new[] { "-leading", "trailing.", "has space", "sl/ash", new string('a', 51), "$other" })
        {
            var ex = await Assert.ThrowsAsync<IotHubArgumentException>(() => emulator.CreateConsumerGroupAsync(bad));
            Assert.Equal(IotHubErrorCode.ArgumentInvalid, ex.ErrorCode);
        }
        var longest = new string('b', 49) + "1";
        Assert.Equal(longest, (await emulator.CreateConsumerGroupAsync(longest)).Name);

        var name = NewGroupName();
        var first = await emulator.CreateConsumerGroupAsync(name);
        var second = await emulator.CreateConsumerGroupAsync(name.ToUpperInvariant());
        Assert.Equal(name, second.Name);
        Assert.Equal(first.Properties.Created, second.Properties.Created);

        var all = await emulator.GetConsumerGroupsAsync();
        Assert.Equal("$Default", all[0].Name);
        Assert.Null(all[0].Properties.Created);
        var cannot = await Assert.ThrowsAsync<IotHubArgumentException>(() => emulator.DeleteConsumerGroupAsync("$Default"));
        Assert.Contains("$Default", cannot.Message, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<IotLabKit.Service.DeviceNotFoundException>(() => emulator.DeleteConsumerGroupAsync("never-made"));
        Assert.Equal(IotHubErrorCode.GenericNotFound, missing.ErrorCode);
        await emulator.DeleteConsumerGroupAsync(longest);
    }

    [Fact]
    public async Task A_hub_has_at_most_20_groups_with_Default_and_the_service_policy_may_list_but_not_create()
    {
        using var emulator = NewEmulatorClient();
        var made = new List<string>();
        try
        {
            while ((await emulator.GetConsumerGroupsAsync()).Count < 20)
            {
                var name = NewGroupName();
                await emulator.CreateConsumerGroupAsync(name);
                made.Add(name);
            }
            var ex = await Assert.ThrowsAsync<QuotaExceededException>(() => emulator.CreateConsumerGroupAsync(NewGroupName()));
            Assert.Equal(IotHubErrorCode.IotHubQuotaExceeded, ex.ErrorCode);
            Assert.Contains("20", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var name in made) await emulator.DeleteConsumerGroupAsync(name);
        }

        using var service = NewEmulatorClient("service");
        Assert.NotEmpty(await service.GetConsumerGroupsAsync());
        await Assert.ThrowsAsync<IotLabKit.Service.UnauthorizedException>(() => service.CreateConsumerGroupAsync(NewGroupName()));
    }

    [Fact]
    public async Task Created_groups_survive_a_restart()
    {
        await using var emulator = await EmulatorProcess.StartAsync();
        var name = NewGroupName();
        using (var client = NewEmulatorClient(emulator: emulator))
            await client.CreateConsumerGroupAsync(name);

        await emulator.KillAsync();
        await emulator.RestartAsync();

        using (var client = NewEmulatorClient(emulator: emulator))
            Assert.Contains(await client.GetConsumerGroupsAsync(), g => g.Name == name);
        await using var consumer = new EventHubConsumerClient(name, emulator.Status.EventHubConnectionString, NoRetries);
        Assert.True((await consumer.GetPartitionPropertiesAsync("0")).IsEmpty);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // A reader attaches in the restored group: the first (empty) wait comes back instead of a refusal.
        await foreach (var nothing in consumer.ReadEventsFromPartitionAsync("0", EventPosition.Earliest,
                           new ReadEventOptions { MaximumWaitTime = TimeSpan.FromMilliseconds(200) }, timeout.Token))
        {
            Assert.Null(nothing.Data);
            break;
        }
    }

    /// <summary>Reads partition 0 until the first event or empty wait; the attach is where a bad group is refused.</summary>
    private static async Task ReadOneAsync(EventHubConsumerClient consumer)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await foreach (var _ in consumer.ReadEventsFromPartitionAsync("0", EventPosition.Earliest,
                           new ReadEventOptions { MaximumWaitTime = TimeSpan.FromMilliseconds(200) }, timeout.Token))
            return;
    }

    private static async Task<List<string>> ReadDeviceAsync(EventHubConsumerClient consumer, string deviceId, int count)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var found = new List<string>();
        await foreach (var e in consumer.ReadEventsAsync(startReadingAtEarliestEvent: true, cancellationToken: cts.Token))
        {
            if (e.Data.SystemProperties.TryGetValue("iothub-connection-device-id", out var d) && (string)d == deviceId)
                found.Add(e.Data.EventBody.ToString());
            if (found.Count == count) break;
        }
        return found;
    }
}
