//! The sandbox's words in Arabic, French and English. A payment company has its own copy, not
//! the portal's: these are kept apart from `locales/` on purpose.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Ar,
    Fr,
    En,
}

impl Lang {
    pub fn parse(code: &str) -> Self {
        match code {
            "fr" => Lang::Fr,
            "en" => Lang::En,
            _ => Lang::Ar,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    pub fn dir(self) -> &'static str {
        match self {
            Lang::Ar => "rtl",
            _ => "ltr",
        }
    }

    /// The language's own name, for the switch.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Ar => "العربية",
            Lang::Fr => "Français",
            Lang::En => "English",
        }
    }
}

macro_rules! words {
    ($($key:ident => [$ar:expr, $fr:expr, $en:expr $(,)?],)*) => {
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum W { $($key,)* }

        pub fn t(lang: Lang, w: W) -> &'static str {
            match w {
                $(W::$key => match lang { Lang::Ar => $ar, Lang::Fr => $fr, Lang::En => $en },)*
            }
        }
    };
}

words! {
    gateway_name => ["بوابة الدفع التجريبية", "Passerelle de paiement de test", "Sandbox payment gateway"],
    test_notice => [
        "بيئة تجريبية: لا تُقتطع أي أموال حقيقية. استعمل أرقام الاختبار الموثّقة.",
        "Environnement de test : aucun argent réel n’est débité. Utilisez les numéros de test documentés.",
        "Test environment: no real money is taken. Use the documented test numbers.",
    ],
    merchant => ["التاجر", "Commerçant", "Merchant"],
    merchant_name => ["بوابة", "Bawaba", "Bawaba"],
    amount => ["المبلغ", "Montant", "Amount"],
    reference => ["المرجع", "Référence", "Reference"],
    purpose => ["مقابل", "Objet", "For"],
    pay_title => ["الدفع", "Paiement", "Payment"],
    choose_method => ["طريقة الدفع", "Moyen de paiement", "Payment method"],
    card => ["بطاقة بنكية", "Carte bancaire", "Bank card"],
    wallet => ["تطبيق الدفع الإلكتروني", "Application de paiement", "E-payment app"],
    account => ["حساب بنكي", "Compte bancaire", "Bank account"],
    card_hint => ["CIB أو الذهبية أو NAPS أو Visa أو Mastercard", "CIB, Edahabia, NAPS, Visa ou Mastercard", "CIB, Edahabia, NAPS, Visa or Mastercard"],
    card_number => ["رقم البطاقة", "Numéro de carte", "Card number"],
    expiry => ["تاريخ انتهاء الصلاحية", "Date d’expiration", "Expiry date"],
    expiry_hint => ["الشهر/السنة، مثلاً 08/28", "MM/AA, par exemple 08/28", "MM/YY, for example 08/28"],
    cvv => ["رمز التحقق (CVV2)", "Cryptogramme (CVV2)", "Security code (CVV2)"],
    cvv_hint => ["الأرقام الثلاثة على ظهر البطاقة", "Les 3 chiffres au dos de la carte", "The 3 digits on the back of the card"],
    holder => ["اسم حامل البطاقة", "Nom du titulaire", "Name on the card"],
    mobile => ["رقم الهاتف المرتبط بالتطبيق", "Numéro de mobile du compte", "Mobile number of the wallet"],
    mobile_hint => ["بالصيغة الدولية، مثلاً ‎+213 550 00 00 01", "Au format international, par exemple +213 550 00 00 01", "In international format, for example +213 550 00 00 01"],
    rib => ["رقم الحساب (RIB)", "Relevé d’identité bancaire (RIB)", "Account number (RIB)"],
    rib_hint => ["20 رقماً، مع المفتاح", "20 chiffres, clé comprise", "20 digits, key included"],
    continue_ => ["متابعة", "Continuer", "Continue"],
    cancel => ["إلغاء الدفع والعودة", "Annuler et revenir", "Cancel and go back"],
    code_title => ["أدخل الرمز المؤقت", "Saisissez le code à usage unique", "Enter the one-time code"],
    code_label => ["الرمز المؤقت (6 أرقام)", "Code à usage unique (6 chiffres)", "One-time code (6 digits)"],
    code_sent => [
        "أرسلنا رمزاً إلى هاتفك. في البيئة التجريبية الرمز هو 123456.",
        "Nous avons envoyé un code à votre téléphone. Dans l’environnement de test, le code est 123456.",
        "We sent a code to your phone. In the test environment the code is 123456.",
    ],
    confirm => ["تأكيد الدفع", "Confirmer le paiement", "Confirm payment"],
    problem => ["يوجد خطأ", "Il y a un problème", "There is a problem"],
    error_prefix => ["خطأ:", "Erreur :", "Error:"],
    e_card_missing => ["أدخل رقم البطاقة", "Saisissez le numéro de carte", "Enter the card number"],
    e_card_digits => ["يجب أن يحتوي رقم البطاقة على أرقام فقط", "Le numéro de carte ne doit contenir que des chiffres", "The card number must contain only digits"],
    e_card_brand => ["هذه البطاقة غير مقبولة: استعمل CIB أو الذهبية أو NAPS أو Visa أو Mastercard", "Cette carte n’est pas acceptée : utilisez CIB, Edahabia, NAPS, Visa ou Mastercard", "This card is not accepted: use CIB, Edahabia, NAPS, Visa or Mastercard"],
    e_card_length => ["عدد أرقام البطاقة غير صحيح", "Le numéro de carte n’a pas le bon nombre de chiffres", "The card number has the wrong number of digits"],
    e_card_typo => ["رقم البطاقة غير صحيح: تحقق من الأرقام", "Le numéro de carte est incorrect : vérifiez les chiffres", "The card number is not right: check the digits"],
    e_expiry_missing => ["أدخل تاريخ انتهاء الصلاحية", "Saisissez la date d’expiration", "Enter the expiry date"],
    e_expiry_invalid => ["أدخل التاريخ بالصيغة الشهر/السنة", "Saisissez la date au format MM/AA", "Enter the date as MM/YY"],
    e_expiry_past => ["انتهت صلاحية هذه البطاقة", "Cette carte a expiré", "This card has expired"],
    e_cvv => ["أدخل الأرقام الثلاثة على ظهر البطاقة", "Saisissez les 3 chiffres au dos de la carte", "Enter the 3 digits on the back of the card"],
    e_holder => ["أدخل الاسم كما هو مكتوب على البطاقة", "Saisissez le nom tel qu’il figure sur la carte", "Enter the name as it is written on the card"],
    e_mobile => ["أدخل رقم هاتف صحيحاً بالصيغة الدولية", "Saisissez un numéro de mobile valide au format international", "Enter a valid mobile number in international format"],
    e_rib_missing => ["أدخل رقم الحساب", "Saisissez le RIB", "Enter the account number"],
    e_rib_length => ["يجب أن يتكون رقم الحساب من 20 رقماً", "Le RIB doit comporter 20 chiffres", "The account number must be 20 digits"],
    e_rib_key => ["مفتاح الحساب غير مطابق: تحقق من الأرقام", "La clé du RIB ne correspond pas : vérifiez les chiffres", "The account key does not match: check the digits"],
    e_code => ["الرمز غير صحيح", "Le code est incorrect", "The code is not right"],
    e_code_left => ["المحاولات المتبقية:", "Essais restants :", "Tries left:"],
    finished_title => ["انتهت عملية الدفع هذه", "Ce paiement est terminé", "This payment is finished"],
    finished_body => ["لا يمكن استعمال هذه الصفحة مرة أخرى.", "Cette page ne peut plus être utilisée.", "This page cannot be used again."],
    back_to_merchant => ["العودة إلى بوابة", "Revenir à Bawaba", "Back to Bawaba"],
    not_found => ["لم نجد عملية الدفع هذه", "Paiement introuvable", "Payment not found"],
    expired_title => ["انتهت مهلة الدفع", "Le délai de paiement est dépassé", "The time to pay has run out"],
    language => ["اللغة", "Langue", "Language"],
}
