using IotLabKit.Emulator.Core.Jobs;
using IotLabKit.Query;

namespace IotLabKit.Emulator.Core.Query;

/// <summary>The jobs engine's per-device results as the <c>FROM devices.jobs</c> collection.</summary>
public sealed class JobEngineDeviceJobs(JobEngine jobs) : IDeviceJobSource
{
    /// <inheritdoc />
    public IReadOnlyList<QueryDocument> SnapshotDeviceJobs()
        => jobs.SnapshotDeviceJobs().Select(d => new QueryDocument(d.Key, CompactJson.FromNode(d.Document))).ToList();
}
