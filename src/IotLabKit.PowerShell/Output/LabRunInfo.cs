using System.Management.Automation;

namespace IotLabKit.PowerShell.Output;

/// <summary>What happened to one task in a Start-IotLab run.</summary>
public sealed class LabTaskResult
{
    /// <summary>"E.T".</summary>
    public string Step { get; init; } = "";
    /// <summary>The task's title.</summary>
    public string Title { get; init; } = "";
    /// <summary>Ran, Skipped, Failed (the action failed) or Replayed (an earlier task redone for -Step).</summary>
    public string Outcome { get; set; } = "Ran";
    /// <summary>The checkpoint's check function, if any.</summary>
    public string? Check { get; init; }
    /// <summary>True/false when a checkpoint ran; null when there was none.</summary>
    public bool? Passed { get; set; }
    /// <summary>The check's message, or what went wrong with the action.</summary>
    public string? Message { get; set; }
}

/// <summary>The result of Start-IotLab (PSTypeName <c>IotLabKit.LabRun</c>).</summary>
public sealed class LabRunInfo
{
    /// <summary>The PSTypeName the format views select on.</summary>
    public const string TypeName = "IotLabKit.LabRun";

    /// <summary>The lab's number.</summary>
    public int Lab { get; init; }
    /// <summary>The lab's title.</summary>
    public string Title { get; init; } = "";
    /// <summary>The seed the scripts used.</summary>
    public int Seed { get; init; }
    /// <summary>True when every task was reached (not quit).</summary>
    public bool Completed { get; set; }
    /// <summary>Checkpoints that passed.</summary>
    public int CheckpointsPassed => Tasks.Count(t => t.Passed == true);
    /// <summary>Checkpoints that failed.</summary>
    public int CheckpointsFailed => Tasks.Count(t => t.Passed == false);
    /// <summary>Each task in the order it ran (a repeated task appears again).</summary>
    public List<LabTaskResult> Tasks { get; } = [];

    internal PSObject ToPSObject()
    {
        var ps = new PSObject(this);
        ps.TypeNames.Insert(0, TypeName);
        return ps;
    }
}
