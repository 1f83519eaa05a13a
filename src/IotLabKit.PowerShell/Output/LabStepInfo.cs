using System.Management.Automation;
using IotLabKit.Labs.Model;

namespace IotLabKit.PowerShell.Output;

/// <summary>One task of a lab as Get-IotLab -Lab shows it (PSTypeName <c>IotLabKit.LabStep</c>).</summary>
public sealed class LabStepInfo
{
    /// <summary>The PSTypeName the format views select on.</summary>
    public const string TypeName = "IotLabKit.LabStep";

    /// <summary>The lab's number.</summary>
    public int Lab { get; init; }
    /// <summary>"E.T": what Start-IotLab -Step takes.</summary>
    public string Step { get; init; } = "";
    /// <summary>The exercise number.</summary>
    public int Exercise { get; init; }
    /// <summary>The exercise's title.</summary>
    public string ExerciseTitle { get; init; } = "";
    /// <summary>The task's title.</summary>
    public string Title { get; init; } = "";
    /// <summary>What the runner does: setup, script (background), powershell or stop; empty when the task only reads.</summary>
    public string Action { get; init; } = "";
    /// <summary>The script or command the action runs.</summary>
    public string? Target { get; init; }
    /// <summary>The check the runner makes afterwards.</summary>
    public string? Checkpoint { get; init; }
    /// <summary>The instructions file.</summary>
    public string InstructionsPath { get; init; } = "";

    internal static PSObject From(Lab lab, LabExercise exercise, LabTask task)
    {
        var action = task.Action;
        var ps = new PSObject(new LabStepInfo
        {
            Lab = lab.Id,
            Step = task.Id,
            Exercise = exercise.Number,
            ExerciseTitle = exercise.Title,
            Title = task.Title,
            Action = action is null ? "" : action.Kind.ToString().ToLowerInvariant() + (action.Background ? " (background)" : ""),
            Target = action?.Kind switch
            {
                LabActionKind.Script or LabActionKind.Stop => action.Script ?? (action.Kind == LabActionKind.Stop ? "all scripts" : null),
                LabActionKind.PowerShell => action.Command,
                LabActionKind.Setup => string.Join(", ", lab.Devices),
                _ => null,
            },
            Checkpoint = task.Checkpoint?.Check,
            InstructionsPath = lab.PathOf(task.Instructions),
        });
        ps.TypeNames.Insert(0, TypeName);
        return ps;
    }
}
