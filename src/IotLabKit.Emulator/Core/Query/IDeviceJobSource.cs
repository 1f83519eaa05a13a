namespace IotLabKit.Emulator.Core.Query;

/// <summary>
/// Supplies the per-device job documents that <c>FROM devices.jobs</c> reads (the jobs engine implements it;
/// until it is registered, <see cref="NoDeviceJobs"/> answers with none).
/// </summary>
/// <remarks>
/// Each document has the shape of IoT Hub's DeviceJob: <c>deviceId</c>, <c>jobId</c>, <c>jobType</c>,
/// <c>status</c>, <c>startTimeUtc</c>, <c>endTimeUtc</c>, <c>createdDateTimeUtc</c>,
/// <c>lastUpdatedDateTimeUtc</c>, <c>outcome</c>, <c>error</c>, as compact documents
/// (<see cref="IotLabKit.Query.CompactJson"/>), which never change and any number of queries read at once.
/// </remarks>
public interface IDeviceJobSource
{
    /// <summary>
    /// Every device-job document, in ascending ordinal order of <see cref="QueryDocument.Key"/>. A key must be
    /// unique and stable for the life of the document; <c>jobId + "/" + deviceId</c> suits.
    /// </summary>
    IReadOnlyList<QueryDocument> SnapshotDeviceJobs();
}

/// <summary>The device-job source of a hub without a jobs engine: there are none.</summary>
public sealed class NoDeviceJobs : IDeviceJobSource
{
    /// <inheritdoc />
    public IReadOnlyList<QueryDocument> SnapshotDeviceJobs() => [];
}
