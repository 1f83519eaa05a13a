namespace IotLabKit.Service;

/// <summary>What a query page holds, from the hub's <c>x-ms-item-type</c> header.</summary>
public enum QueryResultType
{
    /// <summary>The hub did not say, or said something this library does not know.</summary>
    Unknown = 0,
    /// <summary>Device or module twins (<c>SELECT * FROM devices</c> / <c>devices.modules</c>).</summary>
    Twin = 1,
    /// <summary>Per-device job runs (<c>SELECT * FROM devices.jobs</c>).</summary>
    DeviceJob = 2,
    /// <summary>Jobs (the job query of <see cref="JobClient"/>).</summary>
    JobResponse = 3,
    /// <summary>Projections and aggregates (<c>SELECT deviceId …</c>, <c>SELECT COUNT() …</c>): plain JSON objects.</summary>
    Raw = 4,
}
