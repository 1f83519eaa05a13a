using System.Text.Json.Nodes;
using System.Threading.Channels;
using IotLabKit.Emulator.Core.Methods;
using IotLabKit.Emulator.Core.Twins;
using IotLabKit.Emulator.Storage;
using IotLabKit.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IotLabKit.Emulator.Core.Jobs;

/// <summary>A job's status and statistics right after a committed change (for listeners and tests).</summary>
/// <param name="JobId">The job.</param>
/// <param name="Status">Its status.</param>
/// <param name="Statistics">Its statistics.</param>
public sealed record JobChange(string JobId, JobStatus Status, JobStatistics Statistics);

/// <summary>
/// Jobs v2: creates, schedules, runs, cancels and forgets jobs; knows nothing of HTTP.
/// <para>
/// Durability: every change is one hub transaction. A twin-update job updates a batch of twins and stores each
/// device's result in the same transaction, so after a crash the job resumes with exactly the devices that have no
/// result: no twin is updated twice and none is skipped. Statistics are counted from the stored results, never kept
/// as separate counters that could drift.
/// </para>
/// <para>
/// Time: start times, the execution-time limit, pacing and the history sweep all use the hub's
/// <see cref="TimeProvider"/>; nothing sleeps. The hub lock is held per batch, not per job, so other requests are
/// served while a job runs.
/// </para>
/// </summary>
public sealed class JobEngine : IAsyncDisposable
{
    private readonly HubState _hub;
    private readonly TwinStore _twins;
    private readonly JobSettings _settings;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Dictionary<string, JobState> _jobs = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _runners = [];
    private IDirectMethodInvoker? _methods;
    private ITimer? _sweep;
    private bool _started;

    /// <summary>Loads the stored jobs (they start running when <see cref="Start"/> is called).</summary>
    public JobEngine(HubState hub, TwinStore twins, JobSettings settings, TimeProvider clock, ILogger<JobEngine>? logger = null)
    {
        _hub = hub;
        _twins = twins;
        _settings = settings;
        _clock = clock;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Load();
    }

    /// <summary>
    /// Raised after every committed change of a job (created, started, a batch of devices done, ended). Runs under
    /// the hub lock: hand the change on, never block or call back into the hub.
    /// </summary>
    public event Action<JobChange>? JobChanged;

    /// <summary>
    /// Starts scheduled and queued jobs on time, resumes jobs that were running when the emulator stopped, and
    /// sweeps old history. <paramref name="methods"/> is the device transport; without one, method jobs fail each
    /// device with DeviceNotOnline.
    /// </summary>
    public void Start(IDirectMethodInvoker? methods)
    {
        _hub.Read(_ =>
        {
            _methods = methods;
            _started = true;
            foreach (var job in _jobs.Values) Arm(job);
            return 0;
        });
        SweepHistory();
        _sweep = _clock.CreateTimer(_ => SweepHistory(), null, _settings.RetentionSweepInterval, _settings.RetentionSweepInterval);
    }

    /// <summary>Stops every runner (running jobs resume at the next start) and waits for them.</summary>
    public async Task StopAsync()
    {
        Task[] runners;
        lock (_runners) runners = [.. _runners];
        _sweep?.Dispose();
        _stopping.Cancel();
        _hub.Read(_ =>
        {
            foreach (var job in _jobs.Values) job.Timer?.Dispose();
            return 0;
        });
        try { await Task.WhenAll(runners).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested) await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Creates a job (<c>PUT /jobs/v2/{jobId}</c>) and returns its <c>JobResponse</c>.</summary>
    /// <exception cref="HubException">Invalid request, JobAlreadyExists (409), or ThrottlingMaxActiveJobCountExceeded (429).</exception>
    public JsonObject Create(string jobId, JsonObject body)
    {
        var definition = JobRequest.Parse(jobId, body, _clock.GetUtcNow());
        var condition = JobRequest.ParseCondition(definition.QueryCondition);
        var job = _hub.Write(tx =>
        {
            if (_jobs.ContainsKey(jobId))
                throw new HubException(IotHubErrorCode.JobAlreadyExists, $"A job with id '{jobId}' already exists. Job ids are unique for as long as the hub keeps the job's history.");
            var active = _jobs.Values.Count(j => j.Record.Status.IsActive());
            if (active >= _settings.MaxActiveJobs)
                throw new HubException(IotHubErrorCode.ThrottlingMaxActiveJobCountExceeded,
                    $"The hub already has {active} active job(s) (queued, scheduled or running) and allows {_settings.MaxActiveJobs} at once. Wait for one to finish or cancel one.");
            var record = new JobRecord
            {
                Definition = definition,
                Status = definition.StartTime > tx.Now ? JobStatus.Scheduled : JobStatus.Queued,
            };
            var state = new JobState(record, condition);
            tx.Stage(JobRecordSerializer.Change(record));
            tx.OnCommitted(() =>
            {
                _jobs[jobId] = state;
                Arm(state);
                Raise(state);
            });
            return state;
        });
        return Response(job);
    }

    /// <summary>The job's <c>JobResponse</c>; JobNotFound (404) when there is none.</summary>
    public JsonObject Get(string jobId) => _hub.Read(_ => JobJson.Response(Find(jobId).Record, Find(jobId).Statistics));

    /// <summary>
    /// Cancels a queued, scheduled or running job: devices not reached yet become <c>canceled</c>. A job that has
    /// already ended is returned as it is.
    /// </summary>
    public JsonObject Cancel(string jobId)
    {
        var job = _hub.Write(tx =>
        {
            var state = Find(jobId);
            if (!state.Record.Status.IsActive()) return state;
            var record = state.Record with
            {
                Status = JobStatus.Cancelled,
                EndTime = tx.Now,
                StatusMessage = "Cancelled on request.",
            };
            tx.Stage(JobRecordSerializer.Change(record));
            tx.OnCommitted(() =>
            {
                state.SetRecord(record);
                state.Timer?.Dispose();
                Raise(state);
            });
            return state;
        });
        // Outside the hub lock: cancellation callbacks may run code that takes it.
        job.Stop.Cancel();
        return Response(job);
    }

    /// <summary>Every job of <paramref name="type"/> and <paramref name="status"/> (null = any), oldest first.</summary>
    public IReadOnlyList<JsonObject> Query(JobType? type, JobStatus? status)
        => _hub.Read(_ => _jobs.Values
            .Where(j => (type is null || j.Record.Definition.Type == type) && (status is null || j.Record.Status == status))
            .OrderBy(j => j.Record.Definition.CreatedTime).ThenBy(j => j.Record.JobId, StringComparer.Ordinal)
            .Select(j => JobJson.Response(j.Record, j.Statistics))
            .ToList());

    /// <summary>
    /// Every <c>devices.jobs</c> document, in ascending ordinal order of its key <c>jobId/deviceId</c>. Documents
    /// are built once per change and never changed afterwards, so queries may read them outside the lock.
    /// </summary>
    public IReadOnlyList<(string Key, JsonObject Document)> SnapshotDeviceJobs()
        => _hub.Read(_ =>
        {
            // No id contains '/', so ordering jobs by "jobId/" and devices by id orders the keys.
            var result = new List<(string, JsonObject)>();
            foreach (var job in _jobs.Values.OrderBy(j => j.Record.JobId + "/", StringComparer.Ordinal))
                result.AddRange(job.DeviceJobDocuments());
            return (IReadOnlyList<(string, JsonObject)>)result;
        });

    /// <summary>The job's status and statistics; null when there is no such job.</summary>
    public JobChange? Peek(string jobId)
        => _hub.Read(_ => _jobs.TryGetValue(jobId, out var j) ? new JobChange(jobId, j.Record.Status, j.Statistics) : null);

    private JsonObject Response(JobState job) => _hub.Read(_ => JobJson.Response(job.Record, job.Statistics));

    private JobState Find(string jobId)
        => _jobs.TryGetValue(jobId, out var job) ? job : throw new HubException(IotHubErrorCode.JobNotFound, $"The job '{jobId}' does not exist (or its history has expired).");

    private void Raise(JobState job)
    {
        if (JobChanged is not { } handlers) return;
        var change = new JobChange(job.Record.JobId, job.Record.Status, job.Statistics);
        foreach (var handler in handlers.GetInvocationList().Cast<Action<JobChange>>())
        {
            try { handler(change); }
            catch (Exception ex) { _logger.LogError(ex, "A job listener failed."); }
        }
    }

    // ---- scheduling (all under the hub lock) ------------------------------------------------------------------

    private void Arm(JobState job)
    {
        if (!_started || job.Armed) return;
        switch (job.Record.Status)
        {
            case JobStatus.Scheduled when job.Record.Definition.StartTime > _clock.GetUtcNow():
                job.Armed = true;
                job.Timer = _clock.CreateTimer(_ => Launch(job), null, job.Record.Definition.StartTime - _clock.GetUtcNow(), Timeout.InfiniteTimeSpan);
                break;
            case JobStatus.Scheduled or JobStatus.Queued or JobStatus.Running:
                job.Armed = true;
                Launch(job);
                break;
        }
    }

    private void Launch(JobState job)
    {
        var task = Task.Run(() => RunAsync(job));
        lock (_runners)
        {
            _runners.RemoveAll(t => t.IsCompleted);
            _runners.Add(task);
        }
    }

    private void ArmDeadline(JobState job)
    {
        var deadline = job.Record.RunStartTime!.Value + TimeSpan.FromSeconds(job.Record.Definition.MaxExecutionTimeInSeconds);
        var due = deadline - _clock.GetUtcNow();
        job.Timer?.Dispose();
        job.Timer = _clock.CreateTimer(_ => Expire(job), null, due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private void Expire(JobState job)
    {
        var expired = _hub.Write(tx =>
        {
            if (job.Record.Status != JobStatus.Running) return false;
            var remaining = job.Statistics.PendingCount + job.Statistics.RunningCount;
            var record = job.Record with
            {
                Status = JobStatus.Failed,
                EndTime = tx.Now,
                FailureReason = $"The job did not finish within maxExecutionTimeInSeconds ({job.Record.Definition.MaxExecutionTimeInSeconds} s); {remaining} device(s) were not reached.",
                StatusMessage = "Timed out.",
            };
            tx.Stage(JobRecordSerializer.Change(record));
            tx.OnCommitted(() =>
            {
                job.SetRecord(record);
                Raise(job);
            });
            return true;
        });
        if (expired) job.Stop.Cancel();
    }

    // ---- running ------------------------------------------------------------------------------------------------

    private async Task RunAsync(JobState job)
    {
        using var run = CancellationTokenSource.CreateLinkedTokenSource(job.Stop.Token, _stopping.Token);
        var token = run.Token;
        try
        {
            if (!Begin(job)) return;
            if (job.Record.Definition.Type == JobType.ScheduleUpdateTwin) await RunTwinUpdateAsync(job, token).ConfigureAwait(false);
            else await RunMethodAsync(job, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Cancelled, timed out, or the emulator is stopping (a running job then resumes at the next start).
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Job {JobId} failed.", job.Record.JobId);
            Fail(job, "The emulator could not run the job: " + ex.Message);
        }
    }

    /// <summary>Chooses the devices and marks the job running (one transaction); false when it should not run.</summary>
    private bool Begin(JobState job)
        => _hub.Write(tx =>
        {
            switch (job.Record.Status)
            {
                case JobStatus.Running:
                    tx.OnCommitted(() => ArmDeadline(job));
                    return true;
                case JobStatus.Queued or JobStatus.Scheduled:
                    break;
                default:
                    return false;
            }
            var condition = job.Condition;
            var targets = (condition.MatchesAll
                    ? tx.Devices
                    : tx.Devices.Where(d => condition.Matches(d.ServiceDocument)))
                .Select(d => d.Identity.DeviceId).ToArray();
            var record = job.Record with { Status = JobStatus.Running, RunStartTime = tx.Now };
            tx.Stage(JobRecordSerializer.TargetsChange(job.Record.JobId, targets));
            tx.Stage(JobRecordSerializer.Change(record));
            tx.OnCommitted(() =>
            {
                job.SetTargets(targets);
                job.SetRecord(record);
                ArmDeadline(job);
                Raise(job);
            });
            return true;
        });

    private async Task RunTwinUpdateAsync(JobState job, CancellationToken token)
    {
        var write = job.Record.Definition.TwinWrite;
        var targets = job.Targets!;
        var pacer = new JobPacer(_settings.DeviceOperationsPerSecond, _clock);
        var cursor = 0;
        while (true)
        {
            token.ThrowIfCancellationRequested();
            var batch = pacer.BatchSize(_settings.TwinBatchSize);
            await pacer.WaitAsync(batch, token).ConfigureAwait(false);
            var (done, next) = _hub.Write(tx =>
            {
                if (job.Record.Status != JobStatus.Running) return (true, cursor);
                var now = tx.Now;
                var results = new List<DeviceJobResult>(batch);
                var i = cursor;
                while (i < targets.Length && results.Count < batch)
                {
                    var deviceId = targets[i++];
                    if (job.Results.ContainsKey(deviceId)) continue; // done before a restart
                    var result = UpdateTwin(tx, deviceId, write, now);
                    results.Add(result);
                    tx.Stage(JobRecordSerializer.ResultChange(job.Record.JobId, result));
                }
                var finished = i >= targets.Length;
                var record = finished ? job.Record with { Status = JobStatus.Completed, EndTime = now } : null;
                if (record is not null) tx.Stage(JobRecordSerializer.Change(record));
                tx.OnCommitted(() =>
                {
                    foreach (var result in results) job.AddResult(result);
                    if (record is not null)
                    {
                        job.SetRecord(record);
                        job.Timer?.Dispose();
                    }
                    Raise(job);
                });
                return (finished, i);
            });
            if (done) return;
            cursor = next;
            // Let waiting requests take the hub lock before the next batch.
            await Task.Yield();
        }
    }

    private DeviceJobResult UpdateTwin(HubState.HubTransaction tx, string deviceId, TwinWrite write, DateTimeOffset now)
    {
        var device = tx.Find(deviceId);
        if (device is null)
            return Failed(deviceId, now, IotHubErrorCode.DeviceNotFound, $"Device {deviceId} was deleted after the job chose it.");
        try
        {
            var twin = _twins.StageServicePatch(tx, deviceId, device.Twin, write);
            tx.Put(device with { Twin = twin });
            return new DeviceJobResult(deviceId, DeviceJobStatus.Completed, now, now, null, null);
        }
        catch (HubException ex)
        {
            return Failed(deviceId, now, ex.Code, ex.Message);
        }
    }

    private async Task RunMethodAsync(JobState job, CancellationToken token)
    {
        var call = job.Record.Definition.Method!;
        var pending = _hub.Read(_ => job.Targets!.Where(id => !job.Results.ContainsKey(id)).ToArray());
        var results = Channel.CreateUnbounded<DeviceJobResult>(new UnboundedChannelOptions { SingleReader = true });
        var writer = StoreMethodResultsAsync(job, results.Reader);
        var pacer = new JobPacer(_settings.DeviceOperationsPerSecond, _clock);
        var methodCall = new DirectMethodCall(call.MethodName, call.Payload,
            TimeSpan.FromSeconds(call.ResponseTimeoutInSeconds), TimeSpan.FromSeconds(call.ConnectTimeoutInSeconds));
        try
        {
            await Parallel.ForEachAsync(pending,
                new ParallelOptions { MaxDegreeOfParallelism = _settings.MethodParallelism, CancellationToken = token },
                async (deviceId, ct) =>
                {
                    await pacer.WaitAsync(1, ct).ConfigureAwait(false);
                    var started = _clock.GetUtcNow();
                    _hub.Write(_ =>
                    {
                        if (job.Record.Status == JobStatus.Running) job.SetInFlight(deviceId, started);
                        return 0;
                    });
                    var result = await InvokeAsync(deviceId, methodCall, started, ct).ConfigureAwait(false);
                    if (result is not null) results.Writer.TryWrite(result);
                    else _hub.Write(_ => { job.ClearInFlight(deviceId); return 0; });
                }).ConfigureAwait(false);
        }
        finally
        {
            results.Writer.TryComplete();
            await writer.ConfigureAwait(false);
        }
    }

    /// <summary>One device's call; null when the job stopped while it was in flight.</summary>
    private async Task<DeviceJobResult?> InvokeAsync(string deviceId, DirectMethodCall call, DateTimeOffset started, CancellationToken token)
    {
        if (_methods is not { } methods)
            return Failed(deviceId, started, IotHubErrorCode.DeviceNotOnline,
                "The device is not online: this emulator has no device transport to reach it.");
        try
        {
            var answer = await methods.InvokeAsync(deviceId, null, call, token).ConfigureAwait(false);
            var outcome = new JsonObject
            {
                ["deviceMethodResponse"] = new JsonObject { ["status"] = answer.Status, ["payload"] = answer.Payload?.DeepClone() },
            };
            return new DeviceJobResult(deviceId, DeviceJobStatus.Completed, started, _clock.GetUtcNow(), outcome, null);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return null;
        }
        catch (HubException ex)
        {
            return Failed(deviceId, started, ex.Code, ex.Message, _clock.GetUtcNow());
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Direct method {Method} on {DeviceId} failed.", call.MethodName, deviceId);
            return Failed(deviceId, started, IotHubErrorCode.ServerError, "The call failed inside the emulator: " + ex.Message, _clock.GetUtcNow());
        }
    }

    /// <summary>Stores method results in batches as they come; completes the job when every device has one.</summary>
    private async Task StoreMethodResultsAsync(JobState job, ChannelReader<DeviceJobResult> reader)
    {
        await Task.Yield();
        var batch = new List<DeviceJobResult>(_settings.ResultBatchSize);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < _settings.ResultBatchSize && reader.TryRead(out var result)) batch.Add(result);
            StoreResults(job, batch);
            batch.Clear();
        }
        StoreResults(job, batch);
    }

    private void StoreResults(JobState job, List<DeviceJobResult> batch)
    {
        _hub.Write(tx =>
        {
            var record = job.Record;
            // A result that arrived before the job was cancelled or timed out still counts; later ones do not.
            var kept = batch.Where(r => record.Status == JobStatus.Running || (record.EndTime is { } end && r.EndTime <= end)).ToList();
            foreach (var result in kept) tx.Stage(JobRecordSerializer.ResultChange(record.JobId, result));
            JobRecord? completed = null;
            if (record.Status == JobStatus.Running
                && job.Targets!.All(id => job.Results.ContainsKey(id) || kept.Any(r => r.DeviceId == id)))
            {
                completed = record with { Status = JobStatus.Completed, EndTime = tx.Now };
                tx.Stage(JobRecordSerializer.Change(completed));
            }
            tx.OnCommitted(() =>
            {
                foreach (var result in kept) job.AddResult(result);
                foreach (var result in batch.Except(kept)) job.ClearInFlight(result.DeviceId);
                if (completed is not null)
                {
                    job.SetRecord(completed);
                    job.Timer?.Dispose();
                }
                if (kept.Count > 0 || completed is not null) Raise(job);
            });
            return 0;
        });
    }

    private void Fail(JobState job, string reason)
    {
        try
        {
            _hub.Write(tx =>
            {
                if (!job.Record.Status.IsActive()) return 0;
                var record = job.Record with { Status = JobStatus.Failed, EndTime = tx.Now, FailureReason = reason };
                tx.Stage(JobRecordSerializer.Change(record));
                tx.OnCommitted(() =>
                {
                    job.SetRecord(record);
                    job.Timer?.Dispose();
                    Raise(job);
                });
                return 0;
            });
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Job {JobId} could not be marked failed.", job.Record.JobId);
        }
    }

    private static DeviceJobResult Failed(string deviceId, DateTimeOffset started, IotHubErrorCode code, string description, DateTimeOffset? ended = null)
        => new(deviceId, DeviceJobStatus.Failed, started, ended ?? started, null, new DeviceJobError(code.ToString(), description));

    // ---- loading and history ------------------------------------------------------------------------------------

    private void Load()
    {
        var targets = _hub.LoadCollection(JobRecordSerializer.JobTargets)
            .ToDictionary(e => e.Id, e => JobRecordSerializer.ReadTargets(e.Json), StringComparer.Ordinal);
        var results = _hub.LoadCollection(JobRecordSerializer.DeviceJobs)
            .Select(e => JobRecordSerializer.ReadResult(e.Id, e.Json))
            .ToLookup(r => r.JobId, r => r.Result, StringComparer.Ordinal);
        _hub.Read(_ =>
        {
            foreach (var entity in _hub.LoadCollection(JobRecordSerializer.Jobs))
            {
                var record = JobRecordSerializer.ReadJob(entity.Json);
                var state = new JobState(record, JobRequest.ParseCondition(record.Definition.QueryCondition));
                if (targets.TryGetValue(record.JobId, out var ids)) state.SetTargets(ids);
                foreach (var result in results[record.JobId]) state.AddResult(result);
                _jobs[record.JobId] = state;
            }
            return 0;
        });
    }

    private void SweepHistory()
    {
        try
        {
            _hub.Write(tx =>
            {
                var cutoff = tx.Now - _settings.Retention;
                var expired = _jobs.Values.Where(j => !j.Record.Status.IsActive() && (j.Record.EndTime ?? j.Record.Definition.CreatedTime) < cutoff).ToList();
                foreach (var job in expired)
                    foreach (var change in JobRecordSerializer.Deletes(job.Record.JobId, job.Results.Keys)) tx.Stage(change);
                tx.OnCommitted(() =>
                {
                    foreach (var job in expired) _jobs.Remove(job.Record.JobId);
                });
                return 0;
            });
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Removing expired job history failed.");
        }
    }
}
