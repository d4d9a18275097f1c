package io.pgtrickle.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pgtrickle.server.protocol.MessageTags.Backend;
import io.pgtrickle.server.protocol.MessageTags.Frontend;
import org.junit.jupiter.api.Test;

class PendingRepliesTest {

  @Test
  void anExtendedBatchIsAnsweredMessageByMessage() {
    PendingReplies p = new PendingReplies();
    for (byte type :
        new byte[] {Frontend.PARSE, Frontend.BIND, Frontend.DESCRIBE, Frontend.EXECUTE}) {
      p.sent(type, 0);
    }
    assertThat(p.extendedOpen()).isTrue();
    assertThat(p.readiesOwed()).isZero();
    p.received(Backend.PARSE_COMPLETE);
    p.received(Backend.BIND_COMPLETE);
    p.received(Backend.ROW_DESCRIPTION);
    p.received(Backend.DATA_ROW);
    assertThat(p.isEmpty()).as("the Execute is not complete before CommandComplete").isFalse();
    p.received(Backend.COMMAND_COMPLETE);
    assertThat(p.isEmpty()).isTrue();
    p.sent(Frontend.SYNC, 0);
    assertThat(p.extendedOpen()).isFalse();
    assertThat(p.readiesOwed()).isEqualTo(1);
    p.received(Backend.READY_FOR_QUERY);
    assertThat(p.isEmpty()).isTrue();
  }

  @Test
  void describeOfAStatementEndsWithItsRowDescriptionNotItsParameters() {
    PendingReplies p = new PendingReplies();
    p.sent(Frontend.DESCRIBE, 0);
    p.received(Backend.PARAMETER_DESCRIPTION);
    assertThat(p.isEmpty()).isFalse();
    p.received(Backend.NO_DATA);
    assertThat(p.isEmpty()).isTrue();
  }

  @Test
  void anErrorSkipsTheRestOfTheBatchUpToItsSync() {
    PendingReplies p = new PendingReplies();
    p.sent(Frontend.PARSE, 0);
    p.sent(Frontend.BIND, 0);
    p.sent(Frontend.EXECUTE, 0);
    p.received(Backend.PARSE_COMPLETE);
    p.received(Backend.ERROR_RESPONSE);
    assertThat(p.isEmpty()).isTrue();
    assertThat(p.discarding()).as("no Sync sent yet: the server skips what comes").isTrue();
    p.sent(Frontend.EXECUTE, 0);
    p.sent(Frontend.SYNC, 0);
    assertThat(p.discarding()).isFalse();

    PendingReplies q = new PendingReplies();
    q.sent(Frontend.EXECUTE, 0);
    q.sent(Frontend.SYNC, 0);
    q.sent(Frontend.QUERY, 0);
    q.received(Backend.ERROR_RESPONSE);
    assertThat(q.discarding()).as("the Sync already sent ends the skipping").isFalse();
    assertThat(q.readiesOwed()).isEqualTo(2);
    q.received(Backend.READY_FOR_QUERY);
    q.received(Backend.ERROR_RESPONSE);
    assertThat(q.readiesOwed()).as("an error inside a Query does not end it").isEqualTo(1);
    q.received(Backend.READY_FOR_QUERY);
    assertThat(q.isEmpty()).isTrue();
  }

  @Test
  void flagsTellWhoseReplyEachIsAndAsynchronousMessagesBelongToNone() {
    PendingReplies p = new PendingReplies();
    p.sent(Frontend.QUERY, PendingReplies.HIDDEN);
    p.sent(Frontend.QUERY, PendingReplies.WRAPPED);
    assertThat(p.received(Backend.COMMAND_COMPLETE)).isEqualTo(PendingReplies.HIDDEN);
    assertThat(p.received(Backend.NOTICE_RESPONSE)).isZero();
    assertThat(p.received(Backend.READY_FOR_QUERY)).isEqualTo(PendingReplies.HIDDEN);
    assertThat(p.received(Backend.PARAMETER_STATUS)).isZero();
    assertThat(p.received(Backend.COMMAND_COMPLETE)).isEqualTo(PendingReplies.WRAPPED);
    assertThat(p.received(Backend.READY_FOR_QUERY)).isEqualTo(PendingReplies.WRAPPED);
    assertThat(p.isEmpty()).isTrue();
    assertThat(p.received(Backend.NOTIFICATION_RESPONSE)).isZero();
  }

  @Test
  void copyDataIsNotAnsweredButTheCopyIsCompleteAtItsCommandComplete() {
    PendingReplies p = new PendingReplies();
    p.sent(Frontend.QUERY, 0);
    p.received(Backend.COPY_IN_RESPONSE);
    p.sent(Frontend.COPY_DATA, 0);
    p.sent(Frontend.COPY_DONE, 0);
    assertThat(p.readiesOwed()).isEqualTo(1);
    p.received(Backend.COMMAND_COMPLETE);
    p.received(Backend.READY_FOR_QUERY);
    assertThat(p.isEmpty()).isTrue();
  }

  @Test
  void theQueueGrowsPastItsFirstCapacityInOrder() {
    PendingReplies p = new PendingReplies();
    for (int i = 0; i < 100; i++) {
      p.sent(Frontend.BIND, 0);
      p.sent(Frontend.EXECUTE, i % 2 == 0 ? PendingReplies.HIDDEN : 0);
    }
    for (int i = 0; i < 100; i++) {
      assertThat(p.received(Backend.BIND_COMPLETE)).isZero();
      assertThat(p.received(Backend.COMMAND_COMPLETE))
          .isEqualTo(i % 2 == 0 ? PendingReplies.HIDDEN : 0);
    }
    assertThat(p.isEmpty()).isTrue();
  }
}
