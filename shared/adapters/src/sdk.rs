//! SDK calls compiled once, in this crate. An operation's `send()` is an `async fn`, and Rust
//! compiles an async body where it is first polled: for an adapter awaited by a handler, that is
//! the function's binary. So every binary compiled anew the request pipeline (serialisation,
//! signing, retries) of every operation it used, most of a function's release build.
//! [`SendBoxed::send_boxed`] polls `send()` here, behind a boxed future, so each operation's
//! pipeline is compiled once, in `shop-adapters`; the box costs one allocation per call.

use crate::Boxed;

/// The answer of an SDK call, polled behind a box built in this crate.
pub type Sent<T, E> = Boxed<'static, Result<T, E>>;

/// `send()`, with the pipeline compiled in this crate (see the module's comment).
pub trait SendBoxed {
    type Output;
    type Error;

    fn send_boxed(self) -> Sent<Self::Output, Self::Error>;
}

/// One `SendBoxed` impl per operation: its module under `operation` and its type names.
macro_rules! send_boxed {
    ($($sdk:ident :: $op:ident => $builder:ident, $output:ident, $error:ident;)*) => {$(
        impl SendBoxed for $sdk::operation::$op::builders::$builder {
            type Output = $sdk::operation::$op::$output;
            type Error = $sdk::error::SdkError<$sdk::operation::$op::$error>;

            fn send_boxed(self) -> Sent<Self::Output, Self::Error> {
                Box::pin(self.send())
            }
        }
    )*};
}

send_boxed! {
    aws_sdk_dynamodb::get_item => GetItemFluentBuilder, GetItemOutput, GetItemError;
    aws_sdk_dynamodb::put_item => PutItemFluentBuilder, PutItemOutput, PutItemError;
    aws_sdk_dynamodb::update_item => UpdateItemFluentBuilder, UpdateItemOutput, UpdateItemError;
    aws_sdk_dynamodb::delete_item => DeleteItemFluentBuilder, DeleteItemOutput, DeleteItemError;
    aws_sdk_dynamodb::query => QueryFluentBuilder, QueryOutput, QueryError;
    aws_sdk_dynamodb::batch_get_item =>
        BatchGetItemFluentBuilder, BatchGetItemOutput, BatchGetItemError;
    aws_sdk_dynamodb::batch_write_item =>
        BatchWriteItemFluentBuilder, BatchWriteItemOutput, BatchWriteItemError;
    aws_sdk_dynamodb::transact_write_items =>
        TransactWriteItemsFluentBuilder, TransactWriteItemsOutput, TransactWriteItemsError;
    aws_sdk_sqs::send_message => SendMessageFluentBuilder, SendMessageOutput, SendMessageError;
    aws_sdk_sqs::send_message_batch =>
        SendMessageBatchFluentBuilder, SendMessageBatchOutput, SendMessageBatchError;
    aws_sdk_sesv2::send_email => SendEmailFluentBuilder, SendEmailOutput, SendEmailError;
}
