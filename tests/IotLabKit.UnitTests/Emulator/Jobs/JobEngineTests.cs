using System.Text.Json.Nodes;
using IotLabKit.Emulator.Core;
using IotLabKit.Emulator.Core.Devices;
using IotLabKit.Emulator.Core.Jobs;
using IotLabKit.Emulator.Core.Methods;
using IotLabKit.Emulator.Core.Twins;
using IotLabKit.Emulator.Storage;
using IotLabKit.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace IotLabKit.UnitTests.Emulator.Jobs;

/// <summary>
/// The engine's scheduling and state machine on a fake clock: start times, the execution-time limit, pacing,
/// cancel, resume after a restart, the active-job limit and history. Nothing here waits on real time except the
/// bound on how long a test waits for an event.
/// </summary>
public sealed class JobEngineTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly InMemoryHubStore _store = new();
    private readonly List<JobEngine> _engines = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var engine in _engines) await engine.DisposeAsync();
    }

    private (HubState Hub, TwinStore Twins, JobEngine Jobs) NewHub(JobSettings? settings = null, IDirectMethodInvoker? methods = null, bool start = true)
    {
        var hub = new HubState(_store, _clock);
        var twins = new TwinStore(hub);
        var jobs = new JobEngine(hub, twins, settings ?? new JobSettings(), _clock);
        _engines.Add(jobs);
        if (start) jobs.Start(methods);
        return (hub, twins, jobs);
    }

    private static void AddDevices(HubState hub, params string[] ids)
    {
        var registry = new DeviceRegistry(hub);
        foreach (var id in ids) registry.CreateOrUpdate(id, new DeviceSettings(), ETagCondition.None, out _);
    }

    private static JsonObject Body(string json) => JsonNode.Parse(json)!.AsObject();

    private static Task<JobChange> WhenAsync(JobEngine jobs, string jobId, Func<JobChange, bool> until)
    {
        var done = new TaskCompletionSource<JobChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(JobChange c)
        {
            if (c.JobId == jobId && until(c)) done.TrySetResult(c);
        }
        jobs.JobChanged += Handler;
        if (jobs.Peek(jobId) is { } now && until(now)) done.TrySetResult(now);
        return done.Task.WaitAsync(Patience).ContinueWith(t =>
        {
            jobs.JobChanged -= Handler;
            return t.GetAwaiter().GetResult();
        }, TaskScheduler.Default);
    }

    private static bool Ended(JobChange c) => !c.Status.IsActive();

    [Fact]
    public async Task A_job_with_a_start_time_waits_for_the_hubs_clock()
    {
        var (hub, twins, jobs) = NewHub();
        AddDevices(hub, "d1", "d2");
        var created = jobs.Create("later", Body("""{"type":"scheduleUpdateTwin","queryCondition":"*","startTime":"2025-06-01T13:00:00Z","updateTwin":{"properties":{"desired":{"x":1}}}}"""));
        Assert.Equal("scheduled", (string?)created["status"]);

        _clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(JobStatus.Scheduled, jobs.Peek("later")!.Status);
        Assert.Null(twins.Get("d1")["properties"]!["desired"]!["x"]);

        var ended = WhenAsync(jobs, "later", Ended);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var done = await ended;
        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.Equal(new JobStatistics(2, 0, 2, 0, 0), done.Statistics);
        Assert.Equal(1, (long)twins.Get("d2")["properties"]!["desired"]!["x"]!);
    }

    [Fact]
    public async Task Desired_changes_from_a_job_reach_devices_through_the_twin_core()
    {
        var (hub, twins, jobs) = NewHub();
        AddDevices(hub, "n1", "n2", "n3");
        var notified = new List<DesiredPropertiesChange>();
        twins.DesiredPropertiesChanged += c => { lock (notified) notified.Add(c); };
        var ended = WhenAsync(jobs, "notify", Ended);
        jobs.Create("notify", Body("""{"type":"scheduleUpdateTwin","queryCondition":"deviceId IN ['n1','n3']","updateTwin":{"tags":{"t":1},"properties":{"desired":{"fw":"2"}}}}"""));
        await ended;
        lock (notified)
        {
            Assert.Equal(["n1", "n3"], notified.Select(n => n.DeviceId).Order());
            Assert.All(notified, n => Assert.Equal(2, n.Version));
            Assert.All(notified, n => Assert.Equal("2", (string?)n.Patch["fw"]));
        }
    }

    [Fact]
    public async Task Method_results_become_outcomes_and_errors_per_device()
    {
        var invoker = new ScriptedInvoker((id, _) => id switch
        {
            "online" => Task.FromResult(new DirectMethodResult(200, JsonNode.Parse("""{"ok":true}"""))),
            "refuses" => Task.FromResult(new DirectMethodResult(501, null)),
            _ => throw new HubException(IotHubErrorCode.DeviceNotOnline, "The device is not online."),
        });
        var (hub, _, jobs) = NewHub(methods: invoker);
        AddDevices(hub, "online", "refuses", "offline");
        var ended = WhenAsync(jobs, "m", Ended);
        jobs.Create("m", Body("""{"type":"scheduleDeviceMethod","queryCondition":"*","cloudToDeviceMethod":{"methodName":"ping","payload":42}}"""));
        var done = await ended;
        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.Equal(new JobStatistics(3, 1, 2, 0, 0), done.Statistics);
        Assert.All(invoker.Calls, c => Assert.Equal(42, (int)c.Call.Payload!));

        var docs = jobs.SnapshotDeviceJobs().ToDictionary(d => d.Key, d => d.Document);
        Assert.Equal(["m/offline", "m/online", "m/refuses"], docs.Keys);
        Assert.Equal("completed", (string?)docs["m/online"]["status"]);
        Assert.True((bool)docs["m/online"]["outcome"]!["deviceMethodResponse"]!["payload"]!["ok"]!);
        Assert.Equal(501, (int)docs["m/refuses"]["outcome"]!["deviceMethodResponse"]!["status"]!);
        Assert.Equal("failed", (string?)docs["m/offline"]["status"]);
        Assert.Equal("DeviceNotOnline", (string?)docs["m/offline"]["error"]!["code"]);
        Assert.Equal("scheduleDeviceMethod", (string?)docs["m/offline"]["jobType"]);
    }

    [Fact]
    public async Task Devices_not_reached_within_the_execution_time_fail_and_the_job_fails()
    {
        var invoker = new ScriptedInvoker(async (id, ct) =>
        {
            if (id == "fast") return new DirectMethodResult(200, null);
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        });
        var (hub, _, jobs) = NewHub(methods: invoker);
        AddDevices(hub, "fast", "slow1", "slow2");
        var partway = WhenAsync(jobs, "t", c => c.Statistics.SucceededCount == 1 && c.Status == JobStatus.Running);
        jobs.Create("t", Body("""{"type":"scheduleDeviceMethod","queryCondition":"*","maxExecutionTimeInSeconds":60,"cloudToDeviceMethod":{"methodName":"m","responseTimeoutInSeconds":300}}"""));
        await partway;
        await invoker.InFlightAsync(2);
        Assert.Equal(2, jobs.Peek("t")!.Statistics.RunningCount);

        var ended = WhenAsync(jobs, "t", Ended);
        _clock.Advance(TimeSpan.FromSeconds(60));
        var done = await ended;
        Assert.Equal(JobStatus.Failed, done.Status);
        Assert.Equal(new JobStatistics(3, 2, 1, 0, 0), done.Statistics);
        var job = jobs.Get("t");
        Assert.Contains("maxExecutionTimeInSeconds (60 s)", (string?)job["failureReason"]);
        var slow = jobs.SnapshotDeviceJobs().Single(d => d.Key == "t/slow1").Document;
        Assert.Equal("failed", (string?)slow["status"]);
        Assert.Equal(JobJson.TimedOutCode, (string?)slow["error"]!["code"]);
    }

    [Fact]
    public async Task Cancelling_a_running_job_stops_it_and_leaves_the_rest_canceled()
    {
        var (hub, twins, jobs) = NewHub(new JobSettings { DeviceOperationsPerSecond = 10 });
        AddDevices(hub, "c1", "c2", "c3", "c4");
        var first = WhenAsync(jobs, "c", c => c.Statistics.SucceededCount >= 1);
        jobs.Create("c", Body("""{"type":"scheduleUpdateTwin","queryCondition":"*","updateTwin":{"tags":{"c":1}}}"""));
        await first;

        var cancelled = jobs.Cancel("c");
        Assert.Equal("cancelled", (string?)cancelled["status"]);
        _clock.Advance(TimeSpan.FromSeconds(10));
        var stats = jobs.Peek("c")!.Statistics;
        Assert.Equal(1, stats.SucceededCount);
        Assert.Equal(3, stats.FailedCount);
        Assert.Equal(0, stats.PendingCount);
        Assert.Equal(1, (long)twins.Get("c1")["tags"]!["c"]!);
        Assert.Null(twins.Get("c4")["tags"]!["c"]);
        Assert.Equal("canceled", (string?)jobs.SnapshotDeviceJobs().Single(d => d.Key == "c/c4").Document["status"]);
    }

    [Fact]
    public async Task A_job_resumes_after_a_restart_with_exactly_the_devices_it_had_not_done()
    {
        var settings = new JobSettings { DeviceOperationsPerSecond = 10 };
        var (hub, _, jobs) = NewHub(settings);
        AddDevices(hub, "r1", "r2", "r3", "r4", "r5");
        var two = WhenAsync(jobs, "r", c => c.Statistics.SucceededCount == 2);
        jobs.Create("r", Body("""{"type":"scheduleUpdateTwin","queryCondition":"*","updateTwin":{"properties":{"desired":{"r":true}}}}"""));
        var partway = WhenAsync(jobs, "r", c => c.Statistics.SucceededCount >= 1);
        await partway;
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        await two;
        await jobs.StopAsync();
        Assert.Equal(JobStatus.Running, jobs.Peek("r")!.Status);

        // A new hub on the same store: what a restart sees.
        var (_, twins2, jobs2) = NewHub(settings, start: false);
        Assert.Equal(new JobStatistics(5, 0, 2, 0, 3), jobs2.Peek("r")!.Statistics);
        var ended = WhenAsync(jobs2, "r", Ended);
        jobs2.Start(null);
        for (var i = 0; i < 10 && !ended.IsCompleted; i++)
        {
            var next = WhenAsync(jobs2, "r", c => c.Statistics.SucceededCount > 2 + i || !c.Status.IsActive());
            await next;
            _clock.Advance(TimeSpan.FromMilliseconds(100));
        }
        var done = await ended;
        Assert.Equal(new JobStatistics(5, 0, 5, 0, 0), done.Statistics);
        foreach (var id in new[] { "r1", "r2", "r3", "r4", "r5" })
            Assert.Equal(2, (long)twins2.Get(id)["properties"]!["desired"]!["$version"]!);
    }

    [Fact]
    public void The_active_job_limit_answers_429_until_a_job_ends()
    {
        var (_, _, jobs) = NewHub(new JobSettings { MaxActiveJobs = 1 });
        var later = """{"type":"scheduleUpdateTwin","queryCondition":"*","startTime":"2025-06-02T00:00:00Z","updateTwin":{"tags":{"a":1}}}""";
        jobs.Create("first", Body(later));
        var ex = Assert.Throws<HubException>(() => jobs.Create("second", Body(later)));
        Assert.Equal(IotHubErrorCode.ThrottlingMaxActiveJobCountExceeded, ex.Code);
        Assert.Equal(429, ex.HttpStatus);
        jobs.Cancel("first");
        Assert.Equal("scheduled", (string?)jobs.Create("second", Body(later))["status"]);
        Assert.Equal(IotHubErrorCode.JobAlreadyExists, Assert.Throws<HubException>(() => jobs.Create("first", Body(later))).Code);
    }

    [Fact]
    public void Finished_jobs_are_forgotten_after_the_retention_period()
    {
        var (_, _, jobs) = NewHub(new JobSettings { Retention = TimeSpan.FromDays(1), RetentionSweepInterval = TimeSpan.FromHours(1) });
        jobs.Create("old", Body("""{"type":"scheduleUpdateTwin","queryCondition":"*","startTime":"2025-06-02T00:00:00Z","updateTwin":{"tags":{"a":1}}}"""));
        jobs.Cancel("old");
        _clock.Advance(TimeSpan.FromHours(23));
        Assert.NotNull(jobs.Peek("old"));
        _clock.Advance(TimeSpan.FromHours(2));
        Assert.Null(jobs.Peek("old"));
        Assert.Equal(IotHubErrorCode.JobNotFound, Assert.Throws<HubException>(() => jobs.Get("old")).Code);
        Assert.Empty(_store.LoadAll(JobRecordSerializer.Jobs));
    }

    /// <summary>A device transport whose answers the test scripts.</summary>
    private sealed class ScriptedInvoker(Func<string, CancellationToken, Task<DirectMethodResult>> answer) : IDirectMethodInvoker
    {
        private readonly Lock _gate = new();
        private int _inFlight;
        private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];

        public List<(string DeviceId, DirectMethodCall Call)> Calls { get; } = [];

        public async Task<DirectMethodResult> InvokeAsync(string deviceId, string? moduleId, DirectMethodCall call, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                Calls.Add((deviceId, call));
                _inFlight++;
                foreach (var w in _waiters.Where(w => _inFlight >= w.Count)) w.Done.TrySetResult();
            }
            try { return await answer(deviceId, cancellationToken); }
            finally { lock (_gate) _inFlight--; }
        }

        public Task InFlightAsync(int count)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                if (_inFlight >= count) return Task.CompletedTask;
                _waiters.Add((count, done));
            }
            return done.Task.WaitAsync(Patience);
        }
    }
}
