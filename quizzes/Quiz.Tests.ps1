<#
.SYNOPSIS
    The Pester grader for IotLabKit quizzes: one test per question of the quiz, for one student's answers file.

.DESCRIPTION
    A wrong answer fails its test with the student's answer, the correct one and the explanation. An unanswered
    question or an answer that is not an option letter fails its test too; answers to questions the quiz does not
    have fail one extra test. Works with Pester's NUnit and JUnit XML output. Test-IotQuiz wraps this for
    instructors; you can also run it directly:

        $grader = Join-Path (Split-Path (Get-Module IotLabKit).Path) 'quizzes/Quiz.Tests.ps1'
        $container = New-PesterContainer -Path $grader -Data @{ AnswersPath = './ada.json' }
        Invoke-Pester -Container $container -Output Detailed

    An answers file is JSON: { "quiz": "module-08", "student": "Ada", "answers": { "8.1": "B", "8.2": "A" } }.

.PARAMETER AnswersPath
    The student's answers file.

.PARAMETER Quiz
    The quiz id. Defaults to the answers file's "quiz" property.

.PARAMETER QuizPath
    A quiz file or folder to use instead of the module's own quizzes.
#>
param(
    [Parameter(Mandatory)]
    [string] $AnswersPath,

    [string] $Quiz,

    [string] $QuizPath
)

BeforeDiscovery {
    if (-not (Get-Command Test-IotQuizAnswer -ErrorAction Ignore)) {
        Import-Module IotLabKit -ErrorAction Stop
    }

    # The module's own reader, so the grader accepts exactly the answers files that Submit-IotQuiz accepts.
    # Its assembly loads lazily with the first quiz command, so load it here before naming its types.
    $moduleDir = Split-Path (Get-Command Test-IotQuizAnswer).ImplementingType.Assembly.Location
    Add-Type -LiteralPath (Join-Path $moduleDir 'IotLabKit.Quizzes.dll')
    $fullPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($AnswersPath)
    $sheet = [IotLabKit.Quizzes.Grading.AnswerSheet]::Load($fullPath)

    $quizArgs = @{ ErrorAction = 'Stop' }
    $quizId = if ($Quiz) { $Quiz } else { $sheet.Quiz }
    if ($quizId) { $quizArgs.Quiz = $quizId }
    if ($QuizPath) { $quizArgs.Path = $QuizPath }
    $quizInfo = @(Get-IotQuiz @quizArgs)
    if ($quizInfo.Count -ne 1) {
        throw "Expected one quiz for '$AnswersPath' but found $($quizInfo.Count); pass -Data @{ Quiz = '<id>' }."
    }
    $quizInfo = $quizInfo[0]

    $student = if ($sheet.Student) { $sheet.Student } else { [IO.Path]::GetFileNameWithoutExtension($fullPath) }
    $questions = foreach ($question in $quizInfo.Questions) {
        $answer = $null
        [void] $sheet.Answers.TryGetValue($question.Question, [ref] $answer)
        @{
            Quiz     = $quizInfo.Id
            QuizPath = $QuizPath
            Question = $question.Question
            Text     = $question.Text
            Points   = $question.Points
            Answer   = $answer
        }
    }
    $unknown = @($sheet.Answers.Keys | Where-Object { $_ -notin $quizInfo.Questions.Question })
}

Describe 'Quiz <Quiz>: <Student>' -ForEach @(@{ Quiz = $quizInfo.Id; Student = $student; Questions = $questions; Unknown = $unknown }) {
    It '<Question> <Text>' -ForEach $Questions {
        if ([string]::IsNullOrWhiteSpace($Answer)) {
            throw "Question $Question was not answered."
        }

        $pathArgs = if ($QuizPath) { @{ Path = $QuizPath } } else { @{} }
        $result = Test-IotQuizAnswer -Quiz $Quiz -Question $Question -Answer $Answer @pathArgs -ErrorAction Stop
        if (-not $result.IsCorrect) {
            throw "Answered $($result.Answer) ($($result.AnswerText)); the answer is $($result.CorrectAnswer) ($($result.CorrectAnswerText)). $($result.Explanation)"
        }
    }

    if ($Unknown.Count -gt 0) {
        It 'answers only questions of the quiz' {
            throw "The answers file answers questions that quiz '$Quiz' does not have: $($Unknown -join ', ')."
        }
    }
}
