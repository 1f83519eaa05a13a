using System.Text;
using System.Text.Json.Nodes;
using IotLabKit.Device;
using IotLabKit.Simulation.Formats;
using IotLabKit.Simulation.Hosting;

namespace IotLabKit.Simulation.Behaviors;

/// <summary>
/// The course's reboot and factory-reset patterns (Module 8: "the back-end app informs the device through a direct
/// method that it has initiated a reboot; the device uses the reported properties to update the reboot status").
/// The device reports the start under <c>iothubDM.{property}</c> before it answers, so the report is in the twin
/// when the back end gets the answer; answers 200; then restarts; and once back online reports completion.
/// </summary>
internal abstract class RestartMethodBehavior : IDeviceBehavior
{
    private readonly ISimulationHost _host;

    protected RestartMethodBehavior(ISimulationHost host)
    {
        _host = host;
        Methods = new Dictionary<string, MethodCallback>(StringComparer.Ordinal) { [MethodName] = OnMethodAsync };
    }

    /// <summary>The direct method's name.</summary>
    protected abstract string MethodName { get; }

    /// <summary>The property under <c>iothubDM</c>.</summary>
    protected abstract string PropertyName { get; }

    /// <summary>The status while the operation runs.</summary>
    protected abstract string RunningStatus { get; }

    /// <summary>The property holding when the operation started (<c>lastReboot</c>, as Microsoft's samples name it).</summary>
    protected abstract string StartTimeName { get; }

    /// <summary>The property holding when the device was back online.</summary>
    protected abstract string EndTimeName { get; }

    /// <summary>What the device answers.</summary>
    protected abstract string StartedText { get; }

    /// <summary>True when the device returns to factory settings while it is down.</summary>
    protected abstract bool FactoryReset { get; }

    public IReadOnlyDictionary<string, MethodCallback> Methods { get; }

    public Task OnBootAsync(CancellationToken boot) => Task.CompletedTask;

    public Task OnDesiredAsync(TwinCollection desired, CancellationToken boot) => Task.CompletedTask;

    public void ResetToFactory() { }

    private async Task<MethodResponse> OnMethodAsync(MethodRequest request, object? context)
    {
        if (!_host.TryBeginRestart())
            return Answer(409, "The device is already restarting.");
        _host.Log($"{MethodName} requested");
        try
        {
            await _host.ReportAsync(Status(RunningStatus, (StartTimeName, TwinTime.Iso(_host.Time.GetUtcNow())), (EndTimeName, null)), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _host.RecordError($"reporting the {MethodName}", ex); // the restart still happens, as on a real device
        }
        var answer = Answer(200, StartedText);
        _host.RunInBackground(MethodName, ct => RestartAsync(answer, ct), CancellationToken.None);
        return answer;
    }

    private async Task RestartAsync(MethodResponse answer, CancellationToken cancellationToken)
    {
        // Going offline before the answer is out would turn the caller's 200 into a 504.
        await answer.Sent.WaitAsync(cancellationToken).ConfigureAwait(false);
        await _host.RestartAsync(FactoryReset, cancellationToken).ConfigureAwait(false);
        await _host.ReportAsync(Status("completed", (EndTimeName, TwinTime.Iso(_host.Time.GetUtcNow()))), cancellationToken).ConfigureAwait(false);
    }

    private JsonObject Status(string status, params (string Name, string? Value)[] times)
    {
        var section = new JsonObject { ["status"] = status };
        foreach (var (name, value) in times) section[name] = value;
        return new JsonObject { ["iothubDM"] = new JsonObject { [PropertyName] = section } };
    }

    private static MethodResponse Answer(int status, string result)
        => new(Encoding.UTF8.GetBytes(new JsonObject { ["result"] = result }.ToJsonString()), status);
}

/// <summary>The <c>reboot</c> direct method, reported under <c>iothubDM.reboot</c> (<c>status</c>, <c>lastReboot</c>, <c>lastRebootEndTime</c>).</summary>
internal sealed class RebootBehavior(ISimulationHost host) : RestartMethodBehavior(host)
{
    protected override string MethodName => "reboot";
    protected override string PropertyName => "reboot";
    protected override string RunningStatus => "rebooting";
    protected override string StartTimeName => "lastReboot";
    protected override string EndTimeName => "lastRebootEndTime";
    protected override string StartedText => "Reboot started.";
    protected override bool FactoryReset => false;
}

/// <summary>
/// The <c>factoryReset</c> direct method, reported under <c>iothubDM.factoryReset</c> (<c>status</c>,
/// <c>lastFactoryReset</c>, <c>lastFactoryResetEndTime</c>); the device returns with its factory settings.
/// </summary>
internal sealed class FactoryResetBehavior(ISimulationHost host) : RestartMethodBehavior(host)
{
    protected override string MethodName => "factoryReset";
    protected override string PropertyName => "factoryReset";
    protected override string RunningStatus => "resetting";
    protected override string StartTimeName => "lastFactoryReset";
    protected override string EndTimeName => "lastFactoryResetEndTime";
    protected override string StartedText => "Factory reset started.";
    protected override bool FactoryReset => true;
}
