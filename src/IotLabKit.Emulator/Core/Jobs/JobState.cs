using System.Text.Json.Nodes;
using IotLabKit.Query;

namespace IotLabKit.Emulator.Core.Jobs;

/// <summary>
/// One job in memory: its record, the devices it chose, the results stored so far and the calls in flight.
/// Guarded by the hub's lock (every read and change happens inside <c>HubState.Read</c> or <c>Write</c>), and
/// changed only after the store has committed, so memory never runs ahead of the disk.
/// </summary>
internal sealed class JobState(JobRecord record, QueryCondition condition)
{
    private readonly Dictionary<string, DeviceJobResult> _results = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _inFlight = new(StringComparer.Ordinal);
    private int _succeeded, _failed;
    private List<(string Key, JsonObject Document)>? _documents;

    public JobRecord Record { get; private set; } = record;
    public QueryCondition Condition { get; } = condition;

    /// <summary>The devices the job chose when it started, in device-id order; null before it starts.</summary>
    public string[]? Targets { get; private set; }

    /// <summary>Cancelled when the job is cancelled, runs out of time, or the emulator stops.</summary>
    public CancellationTokenSource Stop { get; } = new();

    /// <summary>The timer for the start time or the execution-time limit, whichever is next.</summary>
    public ITimer? Timer { get; set; }

    /// <summary>True once the engine has armed this job (start timer, runner or deadline).</summary>
    public bool Armed { get; set; }

    public IReadOnlyDictionary<string, DeviceJobResult> Results => _results;

    public int InFlightCount => _inFlight.Count;

    public JobStatistics Statistics
        => JobStatistics.Compute(Record.Status, Targets?.Length ?? 0, _succeeded, _failed, _inFlight.Count);

    public void SetRecord(JobRecord record)
    {
        Record = record;
        _documents = null;
    }

    public void SetTargets(string[] targets)
    {
        Targets = targets;
        _documents = null;
    }

    public void AddResult(DeviceJobResult result)
    {
        _inFlight.Remove(result.DeviceId);
        if (_results.TryGetValue(result.DeviceId, out var old))
        {
            if (old.Status == DeviceJobStatus.Completed) _succeeded--; else _failed--;
        }
        _results[result.DeviceId] = result;
        if (result.Status == DeviceJobStatus.Completed) _succeeded++; else _failed++;
        _documents = null;
    }

    public void SetInFlight(string deviceId, DateTimeOffset started)
    {
        _inFlight[deviceId] = started;
        _documents = null;
    }

    public void ClearInFlight(string deviceId)
    {
        if (_inFlight.Remove(deviceId)) _documents = null;
    }

    /// <summary>The <c>devices.jobs</c> documents of this job in device-id order (built once per change).</summary>
    public IReadOnlyList<(string Key, JsonObject Document)> DeviceJobDocuments()
    {
        if (_documents is { } cached) return cached;
        var list = new List<(string, JsonObject)>(Targets?.Length ?? 0);
        foreach (var deviceId in Targets ?? [])
        {
            var document = _results.TryGetValue(deviceId, out var result)
                ? JobJson.DeviceJob(Record, result)
                : JobJson.UnfinishedDeviceJob(Record, deviceId, _inFlight.TryGetValue(deviceId, out var started) ? started : null);
            list.Add((Record.JobId + "/" + deviceId, document));
        }
        _documents = list;
        return list;
    }
}
