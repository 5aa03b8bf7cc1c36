// The event-driven inbox: the data account's Event Grid system topic sends every BlobCreated under
// inbox/ to a storage queue, which the app's InboxEvent queue trigger consumes.
// Why a queue and not the blob trigger's Event Grid source (a webhook into the app): on Container
// Apps the platform scales a Functions app on a storage queue (KEDA azure-queue scaler) but has no
// scaler for Event Grid webhooks; the webhook URL must carry the blobs_extension system key (a
// secret in the template) and reach the app from Event Grid; and events wait in the queue while no
// replica runs. See infra/README.md, "Why a queue".
// Event Grid delivers with its system-assigned identity (shared keys are off on the account), which
// holds Storage Queue Data Message Sender on that one queue only.

@description('Azure region of the data account.')
param location string

@description('Data storage account name (the event source and the queue\'s account).')
param storageAccountName string

@description('System topic name.')
param topicName string

@description('Queue the events go to.')
param queueName string

@description('Container whose BlobCreated events are delivered.')
param containerName string

@description('Seconds an undelivered event may wait in the queue before it expires (-1: never).')
param queueMessageTimeToLiveSeconds int

param tags object

var storageQueueDataMessageSender = 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'

// Event Grid's own retry window for writing to the queue (its defaults, stated): if the queue cannot
// be written for a day, the event is dropped and that upload starts no job until it is uploaded again.
var maxDeliveryAttempts = 30
var eventTimeToLiveMinutes = 1440

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' existing = {
  parent: account
  name: 'default'
}

resource queue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' existing = {
  parent: queueService
  name: queueName
}

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: topicName
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: account.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

resource topicSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(queue.id, topic.id, storageQueueDataMessageSender)
  scope: queue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataMessageSender)
    principalId: topic.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: topic
  name: 'inbox-to-queue'
  // Event Grid checks that it may write to the queue when the subscription is created.
  dependsOn: [
    topicSender
  ]
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      subjectBeginsWith: '/blobServices/default/containers/${containerName}/blobs/'
    }
    deliveryWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      destination: {
        endpointType: 'StorageQueue'
        properties: {
          resourceId: account.id
          queueName: queueName
          queueMessageTimeToLiveInSeconds: queueMessageTimeToLiveSeconds
        }
      }
    }
    retryPolicy: {
      maxDeliveryAttempts: maxDeliveryAttempts
      eventTimeToLiveInMinutes: eventTimeToLiveMinutes
    }
  }
}

output topicName string = topic.name
