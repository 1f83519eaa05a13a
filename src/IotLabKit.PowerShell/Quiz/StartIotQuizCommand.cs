using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Host;
using IotLabKit.PowerShell.Errors;
using IotLabKit.Quizzes;
using IotLabKit.Quizzes.Grading;

namespace IotLabKit.PowerShell.Quiz;

/// <summary>
/// <para type="synopsis">Asks a quiz interactively, one question at a time, with feedback and a score.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "IotQuiz", DefaultParameterSetName = ByIdSet, SupportsShouldProcess = true)]
[OutputType(typeof(QuizScore))]
public sealed class StartIotQuizCommand : QuizCmdlet
{
    private const string ByIdSet = "ById";
    private const string ByPathSet = "ByPath";

    /// <summary>The quiz id, e.g. module-08.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByIdSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(Position = 0, ParameterSetName = ByPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ArgumentCompleter(typeof(QuizIdCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Quiz { get; set; }

    /// <summary>A quiz file (sealed or source) or a folder of sealed quizzes.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("QuizPath")]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>Asks the questions in random order and shuffles each question's options (relettered A, B, C …).</summary>
    [Parameter]
    public SwitchParameter Shuffle { get; set; }

    /// <summary>Seeds -Shuffle so that an order can be repeated.</summary>
    [Parameter]
    public int Seed { get; set; }

    /// <summary>Who is answering; recorded in the result.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Student { get; set; }

    /// <summary>Writes the graded result as JSON (it is also a valid answers file for Test-IotQuiz).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutputPath { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        Quizzes.Quiz quiz;
        try
        {
            quiz = ResolveQuiz(Quiz, Path);
        }
        catch (QuizException ex)
        {
            Fail(ex);
            return;
        }

        var whyNot = InteractiveHost.WhyNot(Host, Environment.GetCommandLineArgs(), Console.IsInputRedirected);
        if (whyNot is not null)
        {
            FailNotInteractive(whyNot, null);
        }

        var random = Shuffle ? (MyInvocation.BoundParameters.ContainsKey(nameof(Seed)) ? new Random(Seed) : new Random()) : null;
        var questions = random is null ? quiz.Questions.ToList() : quiz.Questions.OrderBy(_ => random.Next()).ToList();
        var ui = Host.UI;
        ui.WriteLine();
        var width = HostWidth() - 1;
        ui.WriteLine(quiz.Title);
        foreach (var line in quiz.Description is null ? [] : Wrap(quiz.Description, width))
        {
            ui.WriteLine(line);
        }

        ui.WriteLine($"{questions.Count} questions, {quiz.MaxScore} points. Press Ctrl+C to stop.");
        var answers = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < questions.Count; i++)
        {
            var question = questions[i];
            var shown = random is not null && question.ShuffleOptions
                ? question.Options.OrderBy(_ => random.Next()).ToList()
                : question.Options.ToList();
            var picked = Ask(question, shown, i + 1, questions.Count);
            var result = QuizGrader.Check(quiz, question.Question, shown[picked].Letter);
            answers[question.Question] = result.Answer;
            Feedback(result, Label(shown.FindIndex(o => o.Letter == result.CorrectAnswer)));
        }

        var score = QuizGrader.Grade(quiz, answers, Student);
        ui.WriteLine();
        ui.WriteLine($"You scored {score.Score} of {score.MaxScore} ({score.Percent}%): {score.Correct} of {score.QuestionCount} questions right.");
        if (OutputPath is not null)
        {
            var path = OutputFilePath(OutputPath);
            if (ShouldProcess(path, "Write quiz result") && TryWriteFile(path, p => QuizResultFile.Write(score, p), quiz.Id))
            {
                score.OutputPath = path;
            }
        }

        WriteObject(score);
    }

    private int Ask(QuizQuestion question, List<QuizOption> shown, int number, int count)
    {
        var message = string.Join(Environment.NewLine, Wrap(question.Text, HostWidth() - 1)) + Environment.NewLine
            + string.Join(Environment.NewLine, shown.Select((o, i) => $"  {Label(i)}) {o.Text}"));
        var choices = new Collection<ChoiceDescription>(shown.Select((o, i) => new ChoiceDescription("&" + Label(i), o.Text)).ToList());
        var points = question.Points == 1 ? "1 point" : $"{question.Points} points";
        while (true)
        {
            int picked;
            try
            {
                Host.UI.WriteLine();
                picked = Host.UI.PromptForChoice($"Question {number} of {count} ({question.Question}, {points})", message, choices, -1);
            }
            catch (Exception ex) when (ex is PSInvalidOperationException or HostException or NotImplementedException or PSNotImplementedException)
            {
                // A host we could not recognise up front (e.g. pwsh -NonInteractive run in an unusual way, a job).
                FailNotInteractive("its user interface cannot prompt", ex);
                throw;
            }

            // Ctrl+C at the console's choice prompt stops the pipeline but returns from the prompt; stop with it.
            if (Stopping)
            {
                throw new PipelineStoppedException();
            }

            if (picked >= 0 && picked < shown.Count)
            {
                return picked;
            }
        }
    }

    private void Feedback(QuizAnswerResult result, string correctLabel)
    {
        var answer = result.CorrectAnswerText.TrimEnd('.');
        if (result.IsCorrect)
        {
            WriteColored(ConsoleColor.Green, $"Correct: {answer}.");
        }
        else
        {
            WriteColored(ConsoleColor.Yellow, $"Not quite. The answer is {correctLabel}) {answer}.");
        }

        foreach (var line in Wrap(result.Explanation, HostWidth() - 1))
        {
            Host.UI.WriteLine(line);
        }
    }

    // The console breaks long lines mid-word; explanations are paragraphs, so break them between words.
    private int HostWidth()
    {
        try
        {
            return Host.UI.RawUI.BufferSize.Width;
        }
        catch (Exception ex) when (ex is HostException or NotImplementedException or PSNotImplementedException)
        {
            return 0;
        }
    }

    internal static IEnumerable<string> Wrap(string text, int width)
    {
        if (width < 20)
        {
            yield return text;
            yield break;
        }

        var line = new System.Text.StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                line.Clear();
            }

            line.Append(line.Length > 0 ? " " : string.Empty).Append(word);
        }

        if (line.Length > 0)
        {
            yield return line.ToString();
        }
    }

    private void WriteColored(ConsoleColor color, string text)
    {
        ConsoleColor background;
        try
        {
            background = Host.UI.RawUI.BackgroundColor;
        }
        catch (Exception ex) when (ex is HostException or NotImplementedException or PSNotImplementedException)
        {
            Host.UI.WriteLine(text);
            return;
        }

        Host.UI.WriteLine(color, background, text);
    }

    private void FailNotInteractive(string reason, Exception? inner)
    {
        const string hint = "Answer without prompts with Submit-IotQuiz -Quiz <id> -Answers @{ '8.1' = 'B'; … } or -Path answers.json, or check single answers with Test-IotQuizAnswer.";
        ThrowTerminatingError(ErrorRecordFactory.Create(CommandId, "HostNotInteractive", ErrorCategory.InvalidOperation,
            $"Start-IotQuiz asks its questions one at a time and needs an interactive PowerShell host, but this host is not interactive: {reason}. {hint}",
            Host.Name, inner, hint));
    }

    private static string Label(int index) => ((char)('A' + index)).ToString();
}
