namespace IotLabKit.Labs;

/// <summary>
/// The globals of a lab script: every public member here is a name the script can use as is (<c>Args</c>,
/// <c>DeviceConnectionString</c>, <c>await WaitForStopAsync()</c> …). They carry the course's "Configuration Data:"
/// so scripts read like the course's C# with the values pasted in.
/// </summary>
public sealed class LabGlobals
{
    private readonly CancellationToken stop;

    /// <summary>Creates the globals; <paramref name="stop"/> is cancelled when the script is asked to stop.</summary>
    public LabGlobals(string[] args, Scripting.LabHubContext hub, string deviceId, int seed, CancellationToken stop)
    {
        Args = args;
        DeviceId = deviceId;
        ServiceConnectionString = hub.ServiceConnectionString;
        DeviceConnectionString = hub.DeviceConnectionStrings.TryGetValue(deviceId, out var cs) ? cs : "";
        EventHubConnectionString = hub.EventHubConnectionString;
        EventHubsCompatibleEndpoint = hub.EventHubsCompatibleEndpoint;
        EventHubsCompatiblePath = hub.EventHubsCompatiblePath;
        IotHubSasKey = hub.IotHubSasKey;
        Seed = seed;
        this.stop = stop;
    }

    /// <summary>The script's arguments (the course's <c>args</c>).</summary>
    public string[] Args { get; }

    /// <summary>The iothubowner connection string.</summary>
    public string ServiceConnectionString { get; }

    /// <summary>The connection string of <see cref="DeviceId"/>.</summary>
    public string DeviceConnectionString { get; }

    /// <summary>The device this script plays or manages.</summary>
    public string DeviceId { get; }

    /// <summary>The Event Hubs-compatible endpoint's connection string (service policy), for <c>EventHubConsumerClient</c>.</summary>
    public string EventHubConnectionString { get; }

    /// <summary>The Event Hubs-compatible endpoint (<c>sb://…/</c>), as the course's setup prints it.</summary>
    public string EventHubsCompatibleEndpoint { get; }

    /// <summary>The Event Hubs-compatible path (the hub's name).</summary>
    public string EventHubsCompatiblePath { get; }

    /// <summary>The service policy's primary key.</summary>
    public string IotHubSasKey { get; }

    /// <summary>The seed for <c>new Random(Seed)</c>, so a run can be repeated exactly.</summary>
    public int Seed { get; }

    /// <summary>Cancelled when the script is stopped (Stop-Job, the lab's end, Ctrl+C); long loops run until it.</summary>
    public CancellationToken CancellationToken => stop;

    /// <summary>Waits until the script is asked to stop: what the course's <c>Console.ReadLine()</c> becomes.</summary>
    public Task WaitForStopAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        stop.Register(() => done.TrySetResult());
        return done.Task;
    }
}
