using System.Management.Automation;
using IotLabKit.PowerShell.Output;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Configurations;

/// <summary>
/// Emulator only: evaluates every automatic device configuration now — targets, content written into twins, twin
/// statuses, system and custom metrics — instead of waiting for the next scheduled evaluation (IoT Hub evaluates
/// about every five minutes; the emulator's interval is its --config-evaluation-interval).
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "AutoConfigurationEvaluation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(ConfigurationEvaluationInfo.TypeName)]
public sealed class InvokeAutoConfigurationEvaluationCommand : HubCmdlet
{
    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        RequireEmulator("a real IoT hub evaluates configurations on its own schedule (about every five minutes) and cannot be asked to do it now.",
            "Wait for the hub's next evaluation, then read the metrics with Get-AutoConfiguration.");
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (!ShouldProcess(Connection.HostName, "Evaluate every automatic device configuration now (writes content into targeted twins)")) return;
        var progress = new ProgressRecord(1, "Automatic device configurations", $"Evaluating every configuration on {Connection.HostName}");
        WriteProgress(progress);
        try
        {
            WriteObject(ConfigurationEvaluationInfo.From(Await(ct => Connection.Emulator.EvaluateConfigurationsAsync(ct))));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteFailure(ex, Connection.HostName);
        }
        finally
        {
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }
    }
}
