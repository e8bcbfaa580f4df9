using System.Text.Json.Nodes;

namespace CIOPulse.Api.OpenApi;

/// <summary>The examples of the API document: the article's sample survey, as posted, listed and delivered (docs/api.md).</summary>
public static class ApiExamples
{
    /// <summary>The sample completion the survey app posts.</summary>
    public const string SurveyCompletion = """
        {
          "Listening_Post": "Transactional",
          "Response_ID": "3690",
          "Response_Datetime_UTC": "2021-07-29 07:50:52",
          "Ticket_ID": "INC123456",
          "Support_Group_Code": "SDESK",
          "Support_Group_Name": "Service Desk",
          "Agent_ID": "adam.agent",
          "Segment_Code": "NZ",
          "Segment_Name": "New Zealand",
          "Segment_2_Code": "NONE",
          "Segment_2_Name": "No Segment",
          "Customer": "carole.customer",
          "Overall": 9,
          "Selected_Factors": ["Responsiveness"],
          "Comments": "You guys rock!",
          "Survey_Description": "Survey for DemoCorp",
          "Survey_Language": "English"
        }
        """;

    /// <summary>A page of the Webhook Log holding that completion's webhook, delivered at the first attempt.</summary>
    public const string LogPage = """
        {
          "items": [
            {
              "webhookId": "0f2efe1c678b0",
              "responseId": "3690",
              "listeningPost": "Transactional",
              "lastActivityUtc": "2026-12-03T09:41:07.221Z",
              "lastResponseCode": 200,
              "lastResponse": "ok",
              "attempts": 1,
              "status": "Succeeded",
              "test": false,
              "expired": false
            }
          ],
          "nextCursor": null
        }
        """;

    /// <summary>
    /// That webhook after the retention: the payload and the response bodies removed, the attempts'
    /// codes and times kept, the row still in the log.
    /// </summary>
    public const string ExpiredEntry = """
        {
          "webhookId": "0f2efe1c678b0",
          "responseId": "3690",
          "listeningPost": "Transactional",
          "lastActivityUtc": "2026-12-03T09:41:07.221Z",
          "lastResponseCode": 200,
          "lastResponse": null,
          "attempts": 1,
          "status": "Succeeded",
          "expired": true,
          "payload": null,
          "attemptHistory": [
            {
              "number": 1,
              "startedUtc": "2026-12-03T09:41:07.221Z",
              "durationMs": 38,
              "responseCode": 200,
              "response": null,
              "error": null,
              "failure": null,
              "responseTruncated": false
            }
          ],
          "nextAttemptDueUtc": null,
          "expiredUtc": "2027-03-03T09:50:00.000Z",
          "test": false
        }
        """;

    /// <summary>The answer to a test webhook whose receiver answered 500.</summary>
    public const string TestWebhook = """
        {
          "webhookId": "5c1f0a9d3e7b2",
          "succeeded": false,
          "responseCode": 500,
          "response": "{\"error\":\"database unavailable\"}",
          "durationMs": 84,
          "failure": "HttpServerError",
          "error": null
        }
        """;

    /// <summary>The body the account's receiver gets for that completion (sent as one compact line).</summary>
    public const string WebhookPayload = """
        {
          "Webhook_ID": "0f2efe1c678b0",
          "Response_ID": "3690",
          "Response_Datetime_UTC": "2021-07-29 07:50:52",
          "Ticket_ID": "INC123456",
          "Support_Group_Code": "SDESK",
          "Support_Group_Name": "Service Desk",
          "Agent_ID": "adam.agent",
          "Segment_Code": "NZ",
          "Segment_Name": "New Zealand",
          "Segment_2_Code": "NONE",
          "Segment_2_Name": "No Segment",
          "Customer": "carole.customer",
          "Responsiveness": "1",
          "Interpersonal": "0",
          "Knowledge": "0",
          "Communication": "0",
          "Speed": "0",
          "Confirmation": "0",
          "Effort": "0",
          "Other": "0",
          "Overall": "9",
          "Comments": "You guys rock!",
          "SR_Notes_URL": "https://app.cio-pulse.com/service-recovery-notes?id=3690",
          "Survey_Description": "Survey for DemoCorp",
          "Survey_Language": "English"
        }
        """;

    /// <summary>The answer that makes an account's first signing secret (an example value, not a secret in use).</summary>
    public const string FirstSigningSecret = """
        {
          "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
          "createdUtc": "2026-12-03T09:41:07.221Z",
          "previousSignsUntilUtc": null
        }
        """;

    /// <summary>The answer to a rotation: the replaced secret signs beside the new one for 24 hours.</summary>
    public const string RotatedSigningSecret = """
        {
          "secret": "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
          "createdUtc": "2026-12-10T14:02:55.480Z",
          "previousSignsUntilUtc": "2026-12-11T14:02:55.480Z"
        }
        """;

    /// <summary>A bulk resend's dry run: the Failed webhooks whose last answer was a 503, over two days.</summary>
    public const string BulkResendRequest = """
        {
          "status": "Failed",
          "lastActivityFrom": "2026-12-01T00:00:00Z",
          "lastActivityUntil": "2026-12-03T00:00:00Z",
          "lastResponseCode": 503,
          "dryRun": true,
          "ratePerSecond": 10
        }
        """;

    /// <summary>That bulk resend running, a third of the way.</summary>
    public const string BulkResendProgress = """
        {
          "id": "5f0c1e9d2a7b4c3e8f6a1b2c",
          "status": "Running",
          "total": 1200,
          "done": 400,
          "succeeded": 391,
          "failed": 9,
          "startedUtc": "2026-12-03T09:41:07.221Z",
          "finishedUtc": null,
          "filter": {
            "status": "Failed",
            "listeningPost": null,
            "lastActivityFrom": "2026-12-01T00:00:00Z",
            "lastActivityUntil": "2026-12-03T00:00:00Z",
            "lastResponseCode": "503"
          },
          "ratePerSecond": 10
        }
        """;

    public static JsonNode Parse(string json) => JsonNode.Parse(json)!;
}
