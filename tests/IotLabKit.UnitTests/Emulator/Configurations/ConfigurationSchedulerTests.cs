using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Configurations;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Core.Twins;
using IotLabKit.Emulator.Storage;
using Microsoft.Extensions.Time.Testing;

namespace IotLabKit.UnitTests.Emulator.Configurations;

/// <summary>When evaluations happen: at start, after a configuration change, and when the interval passes on the hub's clock.</summary>
public sealed class ConfigurationSchedulerTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero));
    private readonly HubState _hub;
    private readonly DeviceRegistry _registry;
    private readonly TwinStore _twins;
    private readonly ConfigurationStore _store;
    private readonly ConfigurationScheduler _scheduler;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TaskCompletionSource<ConfigurationEvaluation>> _waiters = [];
    private Task? _running;

    public ConfigurationSchedulerTests()
    {
        _hub = new HubState(new InMemoryHubStore(), _clock);
        _registry = new DeviceRegistry(_hub);
        _twins = new TwinStore(_hub);
        _store = new ConfigurationStore(_hub);
        _scheduler = new ConfigurationScheduler(new ConfigurationEngine(_hub, _twins, _store), _store, _clock, TimeSpan.FromMinutes(5));
        _scheduler.Evaluated += e =>
        {
            lock (_waiters)
            {
                foreach (var waiter in _waiters) waiter.TrySetResult(e);
                _waiters.Clear();
            }
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null) await _running.WaitAsync(Patience);
        _hub.Dispose();
        _stop.Dispose();
    }

    private Task<ConfigurationEvaluation> NextEvaluation()
    {
        var waiter = new TaskCompletionSource<ConfigurationEvaluation>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters) _waiters.Add(waiter);
        return waiter.Task.WaitAsync(Patience);
    }

    private string? Mode(string deviceId) => (string?)_twins.Get(deviceId)["properties"]!["desired"]!["mode"];

    [Fact]
    public async Task It_evaluates_at_start_after_each_change_and_when_the_interval_passes()
    {
        _registry.CreateOrUpdate("a", new DeviceSettings(), ETagCondition.None, out _);
        _store.CreateOrUpdate("cfg", new ConfigurationRequest(null, null, [], JsonNode.Parse("""{"properties.desired.mode":"eco"}""")!.AsObject(),
            "tags.ring = 'one'", 1, []), ETagCondition.None, out _);
        _twins.Update("a", new TwinWrite(JsonNode.Parse("""{"ring":"one"}""")!.AsObject(), null), ETagCondition.None);

        var atStart = NextEvaluation();
        _running = _scheduler.RunAsync(_stop.Token);
        Assert.Equal(1, (await atStart).UpdatedTwinCount);
        Assert.Equal("eco", Mode("a"));

        // A configuration change is evaluated without waiting for the interval.
        var afterChange = NextEvaluation();
        _store.CreateOrUpdate("turbo", new ConfigurationRequest(null, null, [], JsonNode.Parse("""{"properties.desired.mode":"turbo"}""")!.AsObject(),
            "tags.ring = 'one'", 5, []), ETagCondition.None, out _);
        Assert.Equal(1, (await afterChange).UpdatedTwinCount);
        Assert.Equal("turbo", Mode("a"));

        // A twin change is picked up on the schedule, as on IoT Hub.
        _registry.CreateOrUpdate("b", new DeviceSettings(), ETagCondition.None, out _);
        _twins.Update("b", new TwinWrite(JsonNode.Parse("""{"ring":"one"}""")!.AsObject(), null), ETagCondition.None);
        Assert.Null(Mode("b"));
        var scheduled = NextEvaluation();
        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, (await scheduled).UpdatedTwinCount);
        Assert.Equal("turbo", Mode("b"));
    }
}
