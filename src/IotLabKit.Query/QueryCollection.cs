namespace IotLabKit.Query;

/// <summary>The document collection a query runs over (its <c>FROM</c> clause).</summary>
public enum QueryCollection
{
    /// <summary><c>FROM devices</c>: device twins.</summary>
    Devices,

    /// <summary><c>FROM devices.modules</c>: module twins.</summary>
    DevicesModules,

    /// <summary><c>FROM devices.jobs</c>: per-device job results (DeviceJob documents).</summary>
    DevicesJobs,
}

/// <summary>Helpers for <see cref="QueryCollection"/>.</summary>
public static class QueryCollections
{
    /// <summary>The collection's name as the query language spells it: <c>devices</c>, <c>devices.modules</c>, <c>devices.jobs</c>.</summary>
    public static string ToQueryText(this QueryCollection collection) => collection switch
    {
        QueryCollection.Devices => "devices",
        QueryCollection.DevicesModules => "devices.modules",
        QueryCollection.DevicesJobs => "devices.jobs",
        _ => throw new ArgumentOutOfRangeException(nameof(collection), collection, null),
    };
}
